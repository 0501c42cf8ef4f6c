import { exposeApi } from './expose'

exposeApi('backoffice')
