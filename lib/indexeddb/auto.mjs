// flowdb/auto as an ES module: installs the IndexedDB globals (see auto.cjs).
import './auto.cjs'
