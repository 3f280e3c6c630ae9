"""Parses policy-search's citation exports with the parsers reference
managers use, and prints what they read as one JSON object.

Usage: parse.py CSL_JSON_FILE RIS_FILE BIBTEX_FILE
"""
import json
import sys

import bibtexparser
import rispy
from citeproc import (Citation, CitationItem, CitationStylesBibliography,
                      CitationStylesStyle, formatter)
from citeproc.source.json import CiteProcJSON

csl_path, ris_path, bib_path = sys.argv[1:4]

with open(csl_path, encoding="utf-8") as f:
    items = json.load(f)
source = CiteProcJSON(items)
style = CitationStylesStyle("harvard-cite-them-right", validate=False)
bibliography = CitationStylesBibliography(style, source, formatter.plain)
for key in source:
    bibliography.register(Citation([CitationItem(key)]))
csl = {
    "count": len(source),
    "rendered": [str(entry) for entry in bibliography.bibliography()],
}

with open(ris_path, encoding="utf-8") as f:
    ris = [
        {
            "type": r.get("type_of_reference"),
            "id": r.get("id"),
            "title": r.get("title"),
            "year": r.get("year"),
            "start_page": r.get("start_page"),
            "urls": r.get("urls"),
            "notes": r.get("notes"),
        }
        for r in rispy.loads(f.read())
    ]

with open(bib_path, encoding="utf-8") as f:
    library = bibtexparser.parse_string(f.read())
bib = {
    "failed": len(library.failed_blocks),
    "entries": [
        {
            "key": e.key,
            "type": e.entry_type,
            "fields": {name: value for name, value in e.fields_dict.items()
                       for name, value in [(name, value.value)]},
        }
        for e in library.entries
    ],
}

print(json.dumps({"csl": csl, "ris": ris, "bibtex": bib}))
