import flowdb from './index.cjs'

export const { Engine, FlowDBError, errorCodes, versions } = flowdb
export default flowdb
