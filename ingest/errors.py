class IngestError(Exception):
    """A filing could not be ingested; the message names the file, the line where known, and the fix."""
