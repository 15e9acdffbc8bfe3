// flowdb/auto installs indexedDB and the IndexedDB interface objects as
// globals; their types are the standard DOM declarations.

/// <reference lib="dom" />

export {}
