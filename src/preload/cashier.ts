import { exposeApi } from './expose'

exposeApi('cashier')
