import { setup } from './redis-keys';

export default setup;
