"""Filing months from a spreadsheet (blueprint `filing_imports`, /filings/import/...).

reading (refusing bad files, decoding), values (numbers, months), layout (tables, columns, headers),
parser (a file into rows and problems), template (the pre-filled workbook or CSV), services (the import
into filings, all or nothing), views and forms (the pages).
"""
