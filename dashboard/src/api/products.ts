import { http } from './http';
import type { Product } from './types';

export const productsApi = {
  list: () => http.get<Product[]>('/products'),
};
