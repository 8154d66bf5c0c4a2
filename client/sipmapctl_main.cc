// sipmapctl: the gateway's CredentialListMappingService from a terminal.
//
//   sipmapctl [flags] create|get|delete CL… --domain_sid=SD…
//   sipmapctl [flags] list --domain_sid=SD… [--all] [--limit=N]
//
// Exit status: 0 on success; the gRPC status code of a failed call (3
// INVALID_ARGUMENT, 5 NOT_FOUND, 6 ALREADY_EXISTS, 14 UNAVAILABLE, 16
// UNAUTHENTICATED, ...); 64 for a command line it cannot run (EX_USAGE,
// outside the range of gRPC codes), unreadable TLS or token files included.

#include <cstdint>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "client/channel.h"
#include "client/mapping_client.h"
#include "client/mapping_pager.h"
#include "client/sipmapctl_output.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051",
          "The gateway: HOST:PORT, or a gRPC target such as "
          "dns:///gateway.internal:50051.");
ABSL_FLAG(bool, tls, false,
          "Speak TLS, trusting the system's CAs unless --ca_cert is given. "
          "Implied by --ca_cert, --client_cert and --client_key.");
ABSL_FLAG(std::string, ca_cert, "",
          "PEM file of the CAs trusted for the gateway's certificate.");
ABSL_FLAG(std::string, client_cert, "",
          "PEM file of a client certificate for mutual TLS; needs "
          "--client_key.");
ABSL_FLAG(std::string, client_key, "",
          "PEM file of the private key of --client_cert.");
ABSL_FLAG(std::string, token_file, "",
          "File holding a bearer token to call with, for a gateway that "
          "identifies callers by token (read from a file so that it shows "
          "in no process list).");
ABSL_FLAG(std::string, output, "table", "table or json (on stdout).");
ABSL_FLAG(std::string, account_sid, "",
          "The Twilio account (AC…); empty: the gateway's default account.");
ABSL_FLAG(std::string, domain_sid, "", "Required. The SIP Domain (SD…).");
ABSL_FLAG(bool, validate_only, false,
          "create, delete: check everything the call would, change nothing.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(30),
          "Deadline of each call (of each page when listing), such as 10s.");
ABSL_FLAG(int32_t, page_size, 0,
          "list: mappings per page; 0: the gateway's default (50).");
ABSL_FLAG(std::string, page_token, "",
          "list: continue from a next_page_token of an earlier list.");
ABSL_FLAG(bool, all, false, "list: follow the pages to the end.");
ABSL_FLAG(int64_t, limit, 0,
          "list: stop after this many mappings, following pages as needed; "
          "0: no limit.");

namespace twilio_gateway::client {
namespace {

namespace v1 = ::twilio_gateway::sip::v1;

// sysexits.h's EX_USAGE: above every gRPC code, so a script can tell a
// command line sipmapctl refused from an answer of the gateway.
constexpr int kExitUsage = 64;

constexpr char kUsage[] =
    R"(sipmapctl: manage the CredentialLists mapped to a SIP Domain's
registrations, through twilio-gateway.

usage:
  sipmapctl create CL… --domain_sid=SD… [--validate_only]
  sipmapctl get    CL… --domain_sid=SD…
  sipmapctl list       --domain_sid=SD… [--page_size=N] [--page_token=T]
                                        [--all] [--limit=N]
  sipmapctl delete CL… --domain_sid=SD… [--validate_only]

Flags may come before or after the command.

exit status: 0 on success; the gRPC status code of a failed call (3
INVALID_ARGUMENT, 5 NOT_FOUND, 6 ALREADY_EXISTS, 7 PERMISSION_DENIED,
14 UNAVAILABLE, 16 UNAUTHENTICATED, ...); 64 for a command line that cannot
be run.
)";

struct CommandLine {
  bool help = false;
  std::vector<std::string> args;
};

// Sets the flags named on the command line and collects the other
// arguments. Done here rather than with absl::ParseCommandLine, which exits
// with status 1 on a bad flag, and 1 is CANCELLED among the gRPC codes this
// tool exits with.
absl::StatusOr<CommandLine> ParseCommandLine(int argc, char** argv) {
  CommandLine parsed;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--") {
      for (++i; i < argc; ++i) parsed.args.emplace_back(argv[i]);
      break;
    }
    if (arg == "-h" || arg == "-help" || arg == "--help" || arg == "help") {
      parsed.help = true;
      continue;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      parsed.args.emplace_back(arg);
      continue;
    }
    arg.remove_prefix(absl::StartsWith(arg, "--") ? 2 : 1);
    absl::string_view name = arg;
    std::optional<absl::string_view> value;
    if (size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && !value.has_value() && absl::StartsWith(name, "no")) {
      absl::CommandLineFlag* negated =
          absl::FindCommandLineFlag(name.substr(2));
      if (negated != nullptr && negated->IsOfType<bool>()) {
        flag = negated;
        value = "false";
      }
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    }
    if (!value.has_value()) {
      if (flag->IsOfType<bool>()) {
        value = "true";
      } else if (i + 1 < argc) {
        value = argv[++i];
      } else {
        return absl::InvalidArgumentError(
            absl::StrCat("--", name, " needs a value"));
      }
    }
    std::string error;
    if (!flag->ParseFrom(*value, &error)) {
      return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", error));
    }
  }
  return parsed;
}

void PrintUsage() {
  std::cout << kUsage << "\nflags:\n";
  std::map<absl::string_view, absl::CommandLineFlag*> ours;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (absl::StrContains(flag->Filename(), "sipmapctl")) ours[name] = flag;
  }
  for (const auto& [name, flag] : ours) {
    std::cout << "  --" << name << " (default \"" << flag->DefaultValue()
              << "\")\n      " << flag->Help() << "\n";
  }
}

// The token in `path`, without surrounding white space. Fails with
// INVALID_ARGUMENT naming the file, never quoting what is in it.
absl::StatusOr<std::string> ReadToken(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("--token_file: cannot read ", path));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  std::string token(absl::StripAsciiWhitespace(contents.str()));
  if (token.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--token_file: ", path, " holds no token"));
  }
  return token;
}

int UsageError(absl::string_view message) {
  std::cerr << "sipmapctl: " << message
            << "\nRun 'sipmapctl --help' for usage.\n";
  return kExitUsage;
}

int CallFailed(absl::string_view command, const absl::Status& status) {
  std::cerr << "sipmapctl: " << command << " failed: " << FormatError(status);
  return static_cast<int>(status.code());
}

struct Context {
  const MappingClient& client;
  OutputFormat output;
  std::string account_sid;
  std::string domain_sid;
  bool validate_only;
};

int Create(const Context& context, const std::string& sid) {
  v1::CreateCredentialListMappingRequest request;
  request.set_account_sid(context.account_sid);
  request.set_domain_sid(context.domain_sid);
  request.set_credential_list_sid(sid);
  request.set_validate_only(context.validate_only);
  absl::StatusOr<v1::CredentialListMapping> mapping =
      context.client.Create(request);
  if (!mapping.ok()) return CallFailed("create", mapping.status());
  if (context.output == OutputFormat::kJson) {
    std::cout << FormatJson(*mapping);
  } else {
    std::cout << FormatMappingTable(*mapping);
  }
  if (context.validate_only) {
    std::cerr << "sipmapctl: validate only: " << sid
              << " can be mapped; nothing was changed\n";
  }
  return 0;
}

int Get(const Context& context, const std::string& sid) {
  v1::GetCredentialListMappingRequest request;
  request.set_account_sid(context.account_sid);
  request.set_domain_sid(context.domain_sid);
  request.set_sid(sid);
  absl::StatusOr<v1::CredentialListMapping> mapping =
      context.client.Get(request);
  if (!mapping.ok()) return CallFailed("get", mapping.status());
  if (context.output == OutputFormat::kJson) {
    std::cout << FormatJson(*mapping);
  } else {
    std::cout << FormatMappingTable(*mapping);
  }
  return 0;
}

int Delete(const Context& context, const std::string& sid) {
  v1::DeleteCredentialListMappingRequest request;
  request.set_account_sid(context.account_sid);
  request.set_domain_sid(context.domain_sid);
  request.set_sid(sid);
  request.set_validate_only(context.validate_only);
  absl::Status deleted = context.client.Delete(request);
  if (!deleted.ok()) return CallFailed("delete", deleted);
  if (context.output == OutputFormat::kJson) {
    std::cout << "{}\n";
  } else if (context.validate_only) {
    std::cout << sid << " can be deleted; nothing was changed\n";
  } else {
    std::cout << "deleted " << sid << "\n";
  }
  return 0;
}

int ListOnePage(const Context& context,
                const v1::ListCredentialListMappingsRequest& request) {
  absl::StatusOr<v1::ListCredentialListMappingsResponse> page =
      context.client.ListPage(request);
  if (!page.ok()) return CallFailed("list", page.status());
  if (context.output == OutputFormat::kJson) {
    std::cout << FormatJson(*page);
    return 0;
  }
  std::cout << FormatMappingTable(page->credential_list_mappings());
  if (!page->next_page_token().empty()) {
    std::cerr << "sipmapctl: more mappings follow: repeat with --page_token="
              << page->next_page_token() << ", or use --all\n";
  }
  return 0;
}

int ListPages(const Context& context,
              v1::ListCredentialListMappingsRequest request, int64_t limit) {
  MappingPager pager = context.client.List(std::move(request), limit);
  v1::ListCredentialListMappingsResponse all;
  while (true) {
    absl::StatusOr<std::optional<v1::CredentialListMapping>> next =
        pager.Next();
    if (!next.ok()) return CallFailed("list", next.status());
    if (!next->has_value()) break;
    *all.add_credential_list_mappings() = **std::move(next);
  }
  switch (pager.stop_reason()) {
    case MappingPager::StopReason::kEmptyPage:
      std::cerr << "sipmapctl: warning: stopped at a page with no mappings "
                   "that pointed to another page\n";
      break;
    case MappingPager::StopReason::kRepeatedToken:
      std::cerr << "sipmapctl: warning: stopped where the gateway pointed "
                   "back to a page already read\n";
      break;
    case MappingPager::StopReason::kLimit:
      // Resuming is exact only from a page boundary, which is where a token
      // is known.
      all.set_next_page_token(pager.unfollowed_token());
      break;
    default:
      break;
  }
  if (context.output == OutputFormat::kJson) {
    std::cout << FormatJson(all);
  } else {
    std::cout << FormatMappingTable(all.credential_list_mappings());
    if (!all.next_page_token().empty()) {
      std::cerr << "sipmapctl: more mappings may follow: repeat with "
                   "--page_token="
                << all.next_page_token() << "\n";
    }
  }
  return 0;
}

int Run(int argc, char** argv) {
  absl::StatusOr<CommandLine> command_line = ParseCommandLine(argc, argv);
  if (!command_line.ok()) return UsageError(command_line.status().message());
  if (command_line->help) {
    PrintUsage();
    return 0;
  }
  const std::vector<std::string>& args = command_line->args;
  if (args.empty()) return UsageError("no command given");
  const std::string& command = args[0];
  const bool is_list = command == "list";
  const bool takes_sid =
      command == "create" || command == "get" || command == "delete";
  if (!is_list && !takes_sid) {
    return UsageError(absl::StrCat("unknown command \"", command,
                                   "\"; want create, get, list or delete"));
  }
  if (takes_sid && args.size() != 2) {
    return UsageError(absl::StrCat(command,
                                   " takes one CredentialList SID (CL…), got ",
                                   args.size() - 1, " arguments"));
  }
  if (is_list && args.size() != 1) {
    return UsageError(
        absl::StrCat("list takes no arguments, got ",
                     absl::StrJoin(args.begin() + 1, args.end(), " ")));
  }

  absl::StatusOr<OutputFormat> output =
      ParseOutputFormat(absl::GetFlag(FLAGS_output));
  if (!output.ok()) return UsageError(output.status().message());
  if (absl::GetFlag(FLAGS_domain_sid).empty()) {
    return UsageError("--domain_sid is required");
  }
  const absl::Duration timeout = absl::GetFlag(FLAGS_timeout);
  if (timeout <= absl::ZeroDuration()) {
    return UsageError("--timeout must be positive");
  }
  const bool validate_only = absl::GetFlag(FLAGS_validate_only);
  if (validate_only && command != "create" && command != "delete") {
    return UsageError("--validate_only goes with create and delete only");
  }
  const int64_t limit = absl::GetFlag(FLAGS_limit);
  const bool all = absl::GetFlag(FLAGS_all);
  if (limit < 0) return UsageError("--limit must not be negative");
  if (!is_list && (all || limit != 0 || absl::GetFlag(FLAGS_page_size) != 0 ||
                   !absl::GetFlag(FLAGS_page_token).empty())) {
    return UsageError(
        "--all, --limit, --page_size and --page_token go with list only");
  }

  ChannelOptions channel_options;
  channel_options.target = absl::GetFlag(FLAGS_target);
  channel_options.tls = absl::GetFlag(FLAGS_tls);
  channel_options.ca_cert_file = absl::GetFlag(FLAGS_ca_cert);
  channel_options.client_cert_file = absl::GetFlag(FLAGS_client_cert);
  channel_options.client_key_file = absl::GetFlag(FLAGS_client_key);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(channel_options);
  if (!channel.ok()) return UsageError(channel.status().message());

  MappingClientOptions client_options;
  client_options.timeout = timeout;
  if (const std::string token_file = absl::GetFlag(FLAGS_token_file);
      !token_file.empty()) {
    absl::StatusOr<std::string> token = ReadToken(token_file);
    if (!token.ok()) return UsageError(token.status().message());
    client_options.bearer_token = *std::move(token);
  }
  const MappingClient client(*channel, client_options);
  const Context context{client, *output, absl::GetFlag(FLAGS_account_sid),
                        absl::GetFlag(FLAGS_domain_sid), validate_only};

  if (command == "create") return Create(context, args[1]);
  if (command == "get") return Get(context, args[1]);
  if (command == "delete") return Delete(context, args[1]);

  v1::ListCredentialListMappingsRequest request;
  request.set_account_sid(context.account_sid);
  request.set_domain_sid(context.domain_sid);
  request.set_page_size(absl::GetFlag(FLAGS_page_size));
  request.set_page_token(absl::GetFlag(FLAGS_page_token));
  if (!all && limit == 0) return ListOnePage(context, request);
  return ListPages(context, std::move(request), limit);
}

}  // namespace
}  // namespace twilio_gateway::client

int main(int argc, char** argv) {
  return twilio_gateway::client::Run(argc, argv);
}
