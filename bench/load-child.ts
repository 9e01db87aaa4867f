/** The HTTP load client in a process of its own: `node load-child.js <url> <total> <concurrency>`. */
import { load } from './http-load.js';

const [url, total, concurrency] = process.argv.slice(2);
const result = await load(url, Number(total), Number(concurrency));
process.stdout.write(JSON.stringify(result));
