"""``aligner review``: a person corrects alignments, doubtful beads first.

:mod:`~aligner.review.model` (the pair under review and its edits, pure),
:mod:`~aligner.review.realign` (align again around fixed beads),
:mod:`~aligner.review.store` (reviewed files in ``OUT/reviewed/``),
:mod:`~aligner.review.workspace` (the pairs, queue and saving of one review session) and
:mod:`~aligner.review.web` (the local web app over it).
"""
