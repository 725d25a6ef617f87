"""Steering (issue 17): the Lenkungsgruppe and working groups of a Kreis or town – members,
meetings with agenda, attendance, minutes and decisions – and the topics (generative themes)
that carry structural barriers from case work up the levels case/team → working group →
Lenkungsgruppe → Land/Bezirksregierung."""
