// Run by AnalyticsNodeGatewayTest: Segment's @segment/analytics-node sends identify and track calls
// for several users to the gateway. Usage: node send.js GATEWAY_URI USERS ROUNDS (the write key in
// the environment, BEACON_TEST_WRITE_KEY, so it is not on a command line).
// Each round enqueues two calls for every user, interleaved (user-0 #2r, user-1 #2r, ..., user-0
// #2r+1, ...; identify first, then tracks), each carrying a per-user sequence number: one batch a
// round (flushAt), whose order the gateway must keep. It waits for every call's callback before the
// next round, so the client itself keeps each user's order across batches and the sink must too. Prints one line per acknowledged call,
// "ok <messageId> <userId> <seq>"; on any error prints "error ..." and exits 1.
'use strict';
const { Analytics } = require('@segment/analytics-node');

const [host, usersArg, roundsArg] = process.argv.slice(2);
const users = Number(usersArg);
const rounds = Number(roundsArg);
const analytics = new Analytics({
  writeKey: process.env.BEACON_TEST_WRITE_KEY,
  host,
  path: '/v1/batch',
  flushAt: 2 * users,
  flushInterval: 60000,
  maxRetries: 3,
  httpRequestTimeout: 60000,
});
let failed = false;
analytics.on('error', (err) => {
  failed = true;
  console.log('error ' + String(err && (err.reason || err.message || err.code) || err));
});

function call(kind, userId, seq) {
  return new Promise((resolve) => {
    const callback = (err, ctx) => {
      if (err) {
        failed = true;
        console.log('error ' + userId + ' ' + seq + ' ' + String(err.reason || err.message || err));
      } else {
        console.log('ok ' + ctx.event.messageId + ' ' + userId + ' ' + seq);
      }
      resolve();
    };
    if (kind === 'identify') {
      analytics.identify({ userId, traits: { seq, plan: 'pro' } }, callback);
    } else {
      analytics.track({ userId, event: 'Step', properties: { seq } }, callback);
    }
  });
}

(async () => {
  for (let round = 0; round < rounds; round++) {
    const calls = [];
    for (let k = 0; k < 2; k++) {
      const seq = 2 * round + k;
      for (let u = 0; u < users; u++) {
        calls.push(call(seq === 0 ? 'identify' : 'track', 'user-' + u, seq));
      }
    }
    await Promise.all(calls);
  }
  await analytics.closeAndFlush({ timeout: 60000 });
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log('error ' + String(e && e.stack || e));
  process.exit(1);
});
