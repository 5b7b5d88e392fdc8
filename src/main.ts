// Entry of `npm start`: the server from the environment (TASK_KINDS names an app's kinds module).
import { serve } from './serve.js';

await serve();
