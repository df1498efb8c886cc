// One KPL aggregate per input line. Input: a JSON array of user records per line,
// [{"partitionKey": "...", "explicitHashKey": "..." (optional), "data": "<base64>"}].
// Output: one line per aggregate, {"partitionKey", "explicitHashKey", "data": "<base64>"}.
const agg = require('aws-kinesis-agg');
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter(line => line.trim());
(async () => {
  for (const line of lines) {
    const records = JSON.parse(line).map(r => ({
      partitionKey: r.partitionKey, explicitHashKey: r.explicitHashKey, data: Buffer.from(r.data, 'base64')}));
    await new Promise((resolve, reject) => agg.aggregate(records, (encoded, done) => {
      process.stdout.write(JSON.stringify({partitionKey: encoded.partitionKey,
        explicitHashKey: encoded.explicitHashKey, data: Buffer.from(encoded.data).toString('base64')}) + '\n');
      done();
    }, resolve, (err) => reject(err)));
  }
})().catch(err => { console.error(err); process.exit(1); });
