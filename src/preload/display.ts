import { exposeApi } from './expose'

exposeApi('display')
