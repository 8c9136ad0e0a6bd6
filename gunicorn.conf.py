# gunicorn reads this file from its working directory (scripts/run.sh starts it from the repository root; the
# image's CMD names it). Launch ids in URLs are credentials: the access log writes them shortened.
logger_class = "lti_app.logs.RedactingGunicornLogger"
