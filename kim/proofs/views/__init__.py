"""The proof pages (D-088): list, Land proof and agreement proofs with their workflow."""
