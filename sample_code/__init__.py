"""Sample programs: a writer of a sine-wave session and a reader of live or historic sessions."""
