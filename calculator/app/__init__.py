"""Application actions: what a user does (edit a case, price a parcel, keep a project's ledger, import a survey, print a batch, summarise a project), without Qt."""
