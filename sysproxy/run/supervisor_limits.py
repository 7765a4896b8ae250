"""Where kernel descriptors may live in the program (shared by the filter and handlers)."""
LOW = 10          # descriptors 0-9: the shell's, which redirections make kernel ones
COUNT = 512       # placeholders, at the top of RLIMIT_NOFILE
EXTRA = (255,)    # also watched: where bash moves the script it reads
