"""PDF documents of démarches: the acknowledgment of receipt and the decision letter.

- :mod:`.layout` draws a :class:`~.layout.Letter` (commune letterhead, title, sections, signature,
  footer) with fpdf2 and the DejaVu fonts shipped with Clocher — no network, no external font;
- :mod:`.acknowledgment` turns the frozen mentions of an acknowledgment into a letter;
- :mod:`.templates` holds the decision texts (built-in, operator-shared, commune copy) and their
  safe placeholder substitution; :mod:`.decision` turns a decision into a letter.

A letter is plain data before it is drawn, so tests and HTML previews read the same content.
"""
