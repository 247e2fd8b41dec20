// `node --import ./test/helpers/ts-module-register.mjs`: installs ts-module-hooks.mjs.
import { register } from 'node:module';

register('./ts-module-hooks.mjs', import.meta.url);
