"""The knowledge base (store), the vocabulary, question parsing and answering."""
