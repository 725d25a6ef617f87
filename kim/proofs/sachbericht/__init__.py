"""The Sachbericht of a proof of use, on the council report engine (decisions D-087)."""
