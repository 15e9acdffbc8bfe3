// The idb workload (idb-workload.js) on fake-indexeddb.

import { idbWorkload } from './idb-workload.js'
import { providers } from './providers.js'

idbWorkload(providers.find((p) => p.name === 'fake-indexeddb'))
