"""Date and time formats where Django's own locale data does not fit the site (FORMAT_MODULE_PATH):
English pages write dates the British way, not the American one, and Arabic pages get the short
date-time format Django's Arabic locale lacks (it would fall back to the American m/d/Y)."""
