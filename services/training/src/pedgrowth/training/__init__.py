"""The training service: every step of a teacher's professional growth the plans measure."""
