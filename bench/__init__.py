"""Performance benchmark for filing-qa against the naive LangChain baseline: `python -m bench`."""
