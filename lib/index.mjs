import flowdb from './index.cjs'

export const { Engine, KeyRange, FlowDBError, errorCodes, versions } = flowdb
export default flowdb
