"""Retrieval and answering: question understanding, hybrid search, the calculator, cited answers."""
