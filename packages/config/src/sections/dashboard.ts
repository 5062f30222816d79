import { z } from 'zod';
import { bool, port } from '../helpers';

export const dashboardSection = {
  DASHBOARD_PORT: port(3001),
  /** `user:password:role` entries, comma-separated; role is `viewer` or `operator`. */
  DASHBOARD_USERS: z.string().default(''),
  /** Allows starting without DASHBOARD_USERS; only for a developer's machine. */
  DASHBOARD_ALLOW_NO_AUTH: bool(false),
};
