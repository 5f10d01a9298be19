"""The shared building blocks every app may use: base models, notifications, spreadsheets,
uploads, storage, audit trail, hooks, form widgets, background jobs. Imports no app."""
