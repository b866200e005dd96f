/** `npm run gc -- validate|plan|run`: the process's arguments, streams and environment into main(). */
import { processOutput } from './commands/common.js';
import { main } from './commands/main.js';

main(process.argv.slice(2), processOutput, process.env).then((code) => {
  process.exitCode = code;
});
