#!/usr/bin/python3
"""Calls twilio-gateway from Python with grpcio.

Maps a CredentialList to a SIP Domain's registrations, lists the domain's
mappings page by page, removes the mapping, then removes it again to show
how a failed call's details (Twilio's error code, its link, Twilio's request
id) are read from the google.rpc.Status the gateway sends.

Generate the modules first (see generate_stubs.sh), then:

  PYTHONPATH=OUT_DIR /usr/bin/python3 mapping_example.py \\
      --target=127.0.0.1:50051 \\
      --domain_sid=SD0123456789abcdef0123456789abcdef \\
      --credential_list_sid=CL0123456789abcdef0123456789abcdef

Exits 0 when every step went as described, 1 otherwise.
"""

import argparse
import sys

import grpc
from google.rpc import error_details_pb2
from google.rpc import status_pb2
from twilio_gateway.sip.v1 import credential_list_mapping_service_pb2 as pb
from twilio_gateway.sip.v1 import credential_list_mapping_service_pb2_grpc as pb_grpc

# Every call gets a deadline; the gateway bounds its work by it.
TIMEOUT_SECONDS = 10


def error_details(err):
    """The ErrorInfo of a failed call as a dict, or None.

    The gateway sends a google.rpc.Status in the trailing metadata entry
    grpc-status-details-bin; its ErrorInfo holds the reason and, in its
    metadata, twilio_code, http_status, more_info and twilio_request_id.
    """
    for key, value in err.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                return {"reason": info.reason, "domain": info.domain,
                        **dict(info.metadata)}
    return None


def print_error(err):
    print(f"  code: {err.code().name}")
    print(f"  message: {err.details()}")
    for key, value in (error_details(err) or {}).items():
        print(f"  {key}: {value}")


def list_all(stub, account_sid, domain_sid):
    """Every mapping of the domain, following next_page_token."""
    request = pb.ListCredentialListMappingsRequest(
        account_sid=account_sid, domain_sid=domain_sid, page_size=2)
    seen_tokens = set()
    mappings = []
    while True:
        page = stub.ListCredentialListMappings(request,
                                               timeout=TIMEOUT_SECONDS)
        mappings.extend(page.credential_list_mappings)
        token = page.next_page_token
        # An empty page or a token already followed would loop forever.
        if not token or not page.credential_list_mappings or \
                token in seen_tokens:
            return mappings
        seen_tokens.add(token)
        request.page_token = token


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="127.0.0.1:50051")
    parser.add_argument("--account_sid", default="",
                        help="empty: the gateway's default account")
    parser.add_argument("--domain_sid", required=True)
    parser.add_argument("--credential_list_sid", required=True)
    args = parser.parse_args()

    with grpc.insecure_channel(args.target) as channel:
        stub = pb_grpc.CredentialListMappingServiceStub(channel)
        try:
            created = stub.CreateCredentialListMapping(
                pb.CreateCredentialListMappingRequest(
                    account_sid=args.account_sid, domain_sid=args.domain_sid,
                    credential_list_sid=args.credential_list_sid),
                timeout=TIMEOUT_SECONDS)
            print(f"created {created.sid} on {created.domain_sid} "
                  f"(account {created.account_sid}, "
                  f"friendly name {created.friendly_name!r})")

            mappings = list_all(stub, args.account_sid, args.domain_sid)
            print(f"listed {len(mappings)} mapping(s): "
                  + " ".join(m.sid for m in mappings))
            if created.sid not in [m.sid for m in mappings]:
                print(f"error: {created.sid} is not in the list")
                return 1

            stub.DeleteCredentialListMapping(
                pb.DeleteCredentialListMappingRequest(
                    account_sid=args.account_sid, domain_sid=args.domain_sid,
                    sid=created.sid),
                timeout=TIMEOUT_SECONDS)
            print(f"deleted {created.sid}")
        except grpc.RpcError as err:
            print("error: a call failed:")
            print_error(err)
            return 1

        try:
            stub.DeleteCredentialListMapping(
                pb.DeleteCredentialListMappingRequest(
                    account_sid=args.account_sid, domain_sid=args.domain_sid,
                    sid=created.sid),
                timeout=TIMEOUT_SECONDS)
        except grpc.RpcError as err:
            print(f"deleting {created.sid} again failed, as it should:")
            print_error(err)
            details = error_details(err) or {}
            if err.code() == grpc.StatusCode.NOT_FOUND and \
                    details.get("twilio_code"):
                return 0
            print("error: expected NOT_FOUND with Twilio's details")
            return 1
        print("error: deleting a deleted mapping succeeded")
        return 1


if __name__ == "__main__":
    sys.exit(main())
