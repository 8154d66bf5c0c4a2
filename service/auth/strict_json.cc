#include "service/auth/strict_json.h"

#include <cstddef>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace twilio_gateway::auth {
namespace {

using ::nlohmann::json;

// Keys that look like field names are quoted; anything else may be a token
// pasted in the wrong place.
bool LooksLikeFieldName(const std::string& key) {
  if (key.empty() || key.size() > 40) return false;
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  }
  return true;
}

std::string LineAndColumn(absl::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return absl::StrCat("line ", line, ", column ", column);
}

}  // namespace

absl::StatusOr<json> ParseStrictJson(absl::string_view text) {
  // One entry per open object or array; arrays hold no keys.
  std::vector<std::optional<std::set<std::string>>> open;
  std::string duplicate_error;
  auto callback = [&open, &duplicate_error](
                      int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open.emplace_back(std::set<std::string>());
        break;
      case json::parse_event_t::array_start:
        open.emplace_back(std::nullopt);
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!open.empty()) open.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open.empty() && open.back().has_value() && parsed.is_string()) {
          const std::string& key = parsed.get_ref<const std::string&>();
          if (!open.back()->insert(key).second && duplicate_error.empty()) {
            duplicate_error =
                LooksLikeFieldName(key)
                    ? absl::StrCat("key \"", key,
                                   "\" is given twice in one object")
                    : "a key is given twice in one object";
          }
        }
        break;
      case json::parse_event_t::value:
        break;
    }
    return true;
  };

  json root;
  try {
    root = json::parse(text.begin(), text.end(), callback);
  } catch (const json::parse_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("not valid JSON (syntax error at ",
                     LineAndColumn(text, e.byte == 0 ? 0 : e.byte - 1), ")"));
  } catch (const json::exception&) {
    return absl::InvalidArgumentError("not valid JSON");
  }
  if (!duplicate_error.empty()) {
    return absl::InvalidArgumentError(duplicate_error);
  }
  return root;
}

absl::StatusOr<json> ParseListDocument(absl::string_view text,
                                       absl::string_view key) {
  absl::StatusOr<json> root = ParseStrictJson(text);
  if (!root.ok()) return root.status();
  if (!root->is_object()) {
    return absl::InvalidArgumentError("the file must hold one JSON object");
  }
  for (const auto& [name, value] : root->items()) {
    if (name != key) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown key at the top level; only \"", key, "\" is allowed"));
    }
  }
  auto list = root->find(key);
  if (list == root->end() || !list->is_array()) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", key, "\" must be an array"));
  }
  return std::move(*list);
}

}  // namespace twilio_gateway::auth
