# Exit statuses of the retention commands (CONTRACT.md): cron wrappers tell "try later" (75,
# EX_TEMPFAIL: another run holds the lock) from "look at this" (1).
EXIT_FAILED = 1
EXIT_LOCKED = 75
