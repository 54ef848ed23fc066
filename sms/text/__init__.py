"""What an SMS body is: merge fields, segments and encodings, the body rules, cleaning helpers.

Pure functions on text, no database: everything that writes or sends SMS builds on them.
"""
