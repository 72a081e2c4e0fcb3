"""A realistic demo data set that exercises every pre-check rule."""
