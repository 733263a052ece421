"""Stage 2: candidate facts and episodes + what is stored -> ADD / UPDATE / DELETE / NONE."""
