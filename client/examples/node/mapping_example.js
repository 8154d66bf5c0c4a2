#!/usr/bin/env node
// Calls twilio-gateway from Node with @grpc/grpc-js.
//
// Maps a CredentialList to a SIP Domain's registrations, lists the domain's
// mappings page by page, removes the mapping, then removes it again to show
// how a failed call's details (Twilio's error code, its link, Twilio's
// request id) are read from the google.rpc.Status the gateway sends.
//
//   npm ci
//   node mapping_example.js --target=127.0.0.1:50051 \
//     --domain_sid=SD0123456789abcdef0123456789abcdef \
//     --credential_list_sid=CL0123456789abcdef0123456789abcdef
//
// The protos are read at run time: the gateway's from this repository's
// proto/ folder (or --proto_dir), google.rpc's from --googleapis_dir
// (Debian: golang-github-gogo-googleapis-dev). Exits 0 when every step went
// as described, 1 otherwise.
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

// Every call gets a deadline; the gateway bounds its work by it.
const TIMEOUT_MS = 10000;

function parseArgs(argv) {
  const args = {
    target: '127.0.0.1:50051',
    account_sid: '',
    proto_dir: path.resolve(__dirname, '../../../proto'),
    googleapis_dir: '/usr/share/gocode/src/github.com/gogo/googleapis',
  };
  for (const arg of argv) {
    const match = /^--([a-z_]+)=(.*)$/.exec(arg);
    if (!match) throw new Error(`unexpected argument ${arg}`);
    args[match[1]] = match[2];
  }
  for (const required of ['domain_sid', 'credential_list_sid']) {
    if (!args[required]) throw new Error(`--${required} is required`);
  }
  return args;
}

// Decoders for the google.rpc.Status the gateway sends with an error.
function loadErrorTypes(googleapisDir) {
  const root = new protobuf.Root();
  // google/protobuf/*.proto come bundled with protobufjs.
  root.resolvePath = (origin, target) =>
    target.startsWith('google/protobuf/') ? target
                                          : path.join(googleapisDir, target);
  root.loadSync(['google/rpc/status.proto', 'google/rpc/error_details.proto'],
                {keepCase: true});
  return {
    Status: root.lookupType('google.rpc.Status'),
    ErrorInfo: root.lookupType('google.rpc.ErrorInfo'),
  };
}

// The ErrorInfo of a failed call as an object, or null. The gateway sends a
// google.rpc.Status in the trailing metadata entry grpc-status-details-bin;
// its ErrorInfo holds the reason and, in its metadata, twilio_code,
// http_status, more_info and twilio_request_id.
function errorDetails(err, types) {
  const raw = err.metadata ? err.metadata.get('grpc-status-details-bin') : [];
  if (raw.length === 0) return null;
  const status = types.Status.decode(raw[0]);
  for (const detail of status.details) {
    if (detail.type_url.endsWith('/google.rpc.ErrorInfo')) {
      const info = types.ErrorInfo.decode(detail.value);
      return {reason: info.reason, domain: info.domain, ...info.metadata};
    }
  }
  return null;
}

function printError(err, types) {
  const name = Object.keys(grpc.status).find((k) => grpc.status[k] === err.code);
  console.log(`  code: ${name}`);
  console.log(`  message: ${err.details}`);
  for (const [key, value] of Object.entries(errorDetails(err, types) || {})) {
    console.log(`  ${key}: ${value}`);
  }
}

// A unary call as a promise, with a deadline.
function call(client, method, request) {
  const deadline = new Date(Date.now() + TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    client[method](request, {deadline}, (err, response) =>
      err ? reject(err) : resolve(response));
  });
}

// Every mapping of the domain, following next_page_token.
async function listAll(client, accountSid, domainSid) {
  const request = {account_sid: accountSid, domain_sid: domainSid, page_size: 2};
  const seenTokens = new Set();
  const mappings = [];
  for (;;) {
    const page = await call(client, 'ListCredentialListMappings', request);
    mappings.push(...page.credential_list_mappings);
    const token = page.next_page_token;
    // An empty page or a token already followed would loop forever.
    if (!token || page.credential_list_mappings.length === 0 ||
        seenTokens.has(token)) {
      return mappings;
    }
    seenTokens.add(token);
    request.page_token = token;
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const definition = protoLoader.loadSync(
      'twilio_gateway/sip/v1/credential_list_mapping_service.proto',
      {includeDirs: [args.proto_dir], keepCase: true, defaults: true});
  const v1 = grpc.loadPackageDefinition(definition).twilio_gateway.sip.v1;
  const types = loadErrorTypes(args.googleapis_dir);
  const client = new v1.CredentialListMappingService(
      args.target, grpc.credentials.createInsecure());
  const names = {account_sid: args.account_sid, domain_sid: args.domain_sid};

  try {
    let created;
    try {
      created = await call(client, 'CreateCredentialListMapping',
                           {...names, credential_list_sid: args.credential_list_sid});
      console.log(`created ${created.sid} on ${created.domain_sid} ` +
                  `(account ${created.account_sid}, ` +
                  `friendly name '${created.friendly_name}')`);

      const mappings = await listAll(client, args.account_sid, args.domain_sid);
      const sids = mappings.map((m) => m.sid);
      console.log(`listed ${mappings.length} mapping(s): ${sids.join(' ')}`);
      if (!sids.includes(created.sid)) {
        console.log(`error: ${created.sid} is not in the list`);
        return 1;
      }

      await call(client, 'DeleteCredentialListMapping', {...names, sid: created.sid});
      console.log(`deleted ${created.sid}`);
    } catch (err) {
      if (err.code === undefined) throw err;
      console.log('error: a call failed:');
      printError(err, types);
      return 1;
    }

    try {
      await call(client, 'DeleteCredentialListMapping', {...names, sid: created.sid});
    } catch (err) {
      if (err.code === undefined) throw err;
      console.log(`deleting ${created.sid} again failed, as it should:`);
      printError(err, types);
      const details = errorDetails(err, types) || {};
      if (err.code === grpc.status.NOT_FOUND && details.twilio_code) return 0;
      console.log("error: expected NOT_FOUND with Twilio's details");
      return 1;
    }
    console.log('error: deleting a deleted mapping succeeded');
    return 1;
  } finally {
    client.close();
  }
}

main().then((code) => { process.exitCode = code; }, (err) => {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
});
