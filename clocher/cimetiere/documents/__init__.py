"""Cemetery documents: shared templates (``templates``) and their PDF rendering (``pdf``).

Other parts of the module call these helpers rather than writing their own PDF code:
``pdf.render_document(commune=…, title=…, paragraphs=[…], tables=[…])`` draws any letter or
register with the commune's letterhead, page numbers and signature block.
"""
