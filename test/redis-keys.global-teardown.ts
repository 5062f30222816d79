import { teardown } from './redis-keys';

export default teardown;
