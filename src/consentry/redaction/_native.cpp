// The filter's compiled scan: the built-in detectors' candidate loops and
// validators, overlap resolution and byte->str offsets, in C++ over RE2.
//
// This is a port of the Python reference (engine.py, detector.py, pii.py,
// credentials.py, tokens.py, checksums.py) and must find exactly what it finds;
// tests/unit/redaction/test_native.py compares the two on the labelled corpus and
// on generated text. Every pattern string and every table (IBAN lengths, file
// extensions, thresholds...) is passed in from the Python modules, so the two
// implementations cannot drift apart on data; only the logic lives here twice.
// A JWT header that is not a flat JSON object of plain keys and values is still
// decided by the Python function (base64 + json.loads), called back.
//
// Where the Python scan runs each detector's RE2 search over the whole text, most
// detectors here search only regions that can hold their matches (see "regions"
// below), and provider-token prefixes are found without RE2 (PrefixFinder).
//
// Scanning stays linear: RE2 runs in time linear in the input, every validator
// reads only its match plus O(1) bytes around it, as in Python, and the region
// scans read each byte a bounded number of times.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace py = pybind11;

namespace {

using Pos = Py_ssize_t;
using Span = std::pair<Pos, Pos>;

struct Cand {
  Pos start;
  Pos end;
  int type;  // index into Engine::types_
  int rank;
  Pos byte_start;  // start and end in bytes once start and end are str offsets
  Pos byte_end;
};

// ---------------------------------------------------------------- bytes helpers

constexpr bool word_byte(unsigned char b) {
  return (b >= '0' && b <= '9') || (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || b == '_';
}
struct WordTable {
  bool in[256];
  constexpr WordTable() : in() {
    for (int b = 0; b < 256; ++b) in[b] = word_byte(static_cast<unsigned char>(b));
  }
};
constexpr WordTable kWord;
inline bool is_word(unsigned char b) { return kWord.in[b]; }
inline bool is_digit(unsigned char b) { return b >= '0' && b <= '9'; }
inline bool is_upper(unsigned char b) { return b >= 'A' && b <= 'Z'; }
inline bool is_lower(unsigned char b) { return b >= 'a' && b <= 'z'; }
inline bool is_alpha(unsigned char b) { return is_upper(b) || is_lower(b); }
inline unsigned char lower(unsigned char b) { return is_upper(b) ? b + 32 : b; }
inline unsigned char upper(unsigned char b) { return is_lower(b) ? b - 32 : b; }
inline bool lower_byte_beyond_f(unsigned char b) { return lower(b) >= 'g' && lower(b) <= 'z'; }

// Python's bytes.strip()/isspace() whitespace.
inline bool is_py_space(unsigned char b) {
  return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\x0b' || b == '\x0c';
}
// RE2's \s
inline bool is_re2_space(unsigned char b) {
  return b == ' ' || b == '\t' || b == '\n' || b == '\f' || b == '\r';
}

struct Text {
  const unsigned char* d;
  Pos n;
  PyObject* bytes = nullptr;  // the Python bytes object d points into (for callbacks)
  std::string_view view(Pos a, Pos b) const {
    return std::string_view(reinterpret_cast<const char*>(d) + a, static_cast<size_t>(b - a));
  }
  unsigned char before(Pos start) const { return start > 0 ? d[start - 1] : 0x20; }
  unsigned char at(Pos i) const { return i < n ? d[i] : 0x20; }
  // bytes.find(needle, a, b): the needle must lie inside [a, b).
  Pos find(std::string_view needle, Pos a, Pos b) const {
    if (a < 0) a = 0;
    if (b > n) b = n;
    if (needle.empty()) return a <= b ? a : -1;
    // memchr for the needle's rarest byte (by a rough guess for text), then compare:
    // much faster than memmem or a scan for the first byte on short needles.
    return find_by(needle, rarest(needle), a, b);
  }
  // find() with memchr for needle[r].
  Pos find_by(std::string_view needle, Pos r, Pos a, Pos b) const {
    const Pos m = static_cast<Pos>(needle.size());
    if (b - a < m) return -1;
    const unsigned char key = static_cast<unsigned char>(needle[static_cast<size_t>(r)]);
    for (Pos k = a + r; k < b - (m - 1 - r);) {
      const void* hit = std::memchr(d + k, key, static_cast<size_t>(b - (m - 1 - r) - k));
      if (!hit) return -1;
      k = static_cast<const unsigned char*>(hit) - d;
      if (std::memcmp(d + k - r, needle.data(), static_cast<size_t>(m)) == 0) return k - r;
      ++k;
    }
    return -1;
  }
  static Pos rarest(std::string_view needle) {
    auto rarity = [](unsigned char c) {
      return (is_lower(c) || c == ' ') ? 0 : is_digit(c) ? 1 : is_upper(c) ? 2 : 3;
    };
    Pos best = 0;
    for (Pos i = 1; i < static_cast<Pos>(needle.size()); ++i) {
      if (rarity(static_cast<unsigned char>(needle[static_cast<size_t>(i)])) >
          rarity(static_cast<unsigned char>(needle[static_cast<size_t>(best)])))
        best = i;
    }
    return best;
  }
  Pos find_byte(unsigned char c, Pos a, Pos b) const {
    if (a < 0) a = 0;
    if (b > n) b = n;
    if (a >= b) return -1;
    const void* p = std::memchr(d + a, c, static_cast<size_t>(b - a));
    return p ? static_cast<const unsigned char*>(p) - d : -1;
  }
  bool contains(std::string_view needle) const { return find(needle, 0, n) >= 0; }
};

// Python slice bounds: negative indices count from the end, then clamp.
inline Span py_slice(Pos a, Pos b, Pos n) {
  if (a < 0) a = std::max<Pos>(0, a + n);
  if (b < 0) b = std::max<Pos>(0, b + n);
  a = std::min(a, n);
  b = std::min(b, n);
  return {a, std::max(a, b)};
}

inline Pos count_digits(std::string_view s) {
  Pos c = 0;
  for (unsigned char b : s) c += is_digit(b);
  return c;
}

// ---------------------------------------------------------------- RE2

RE2::Options re2_options() {
  RE2::Options o;
  o.set_max_mem(64 << 20);
  o.set_log_errors(false);
  return o;
}

std::unique_ptr<RE2> compile(const std::string& pattern) {
  auto re = std::make_unique<RE2>(pattern, re2_options());
  if (!re->ok()) throw std::invalid_argument("RE2 cannot compile " + pattern + ": " + re->error());
  return re;
}

// Python's raw_matcher(regex)(anchor, data, pos, endpos)[0].
inline bool match(const RE2& re, const Text& t, Pos pos, Pos endpos, RE2::Anchor anchor,
                  Pos& start, Pos& end) {
  re2::StringPiece text(reinterpret_cast<const char*>(t.d), static_cast<size_t>(t.n));
  re2::StringPiece m;
  if (!re.Match(text, static_cast<size_t>(pos), static_cast<size_t>(endpos), anchor, &m, 1)) {
    return false;
  }
  start = m.data() - text.data();
  end = start + static_cast<Pos>(m.size());
  return true;
}

// ---------------------------------------------------------------- checksums.py

struct Tables {
  std::unordered_map<std::string, int> iban_lengths;
  std::set<std::string> file_extensions;
  std::set<std::string> placeholder_values;
  double min_secret_entropy = 0;
  double min_letters_only_entropy = 0;
  int credential_rank_limit = 0;
  size_t pseudonym_hex_chars = 0;
  // nationalids.length_table(): per stdnum module, what compact() does to a value's
  // length and the compact lengths validate() does not refuse (up to id_probed; a
  // longer compact form counts as possible).
  struct IdModule {
    std::string deletes;
    Pos pad = 1, strip = 0, grow = 0;
    std::vector<bool> accepted;  // by length
  };
  std::vector<IdModule> id_modules;
  Pos id_probed = 0;
};

// Whether some module's compact form of `value` can have a length it accepts: a
// necessary condition of nationalids._valid_national_id (any module's is_valid).
// With no table loaded every value is possible.
bool national_id_length_possible(std::string_view value, const Tables& tables) {
  if (tables.id_modules.empty()) return true;
  const Pos n = static_cast<Pos>(value.size());
  Pos count[256] = {0};  // each byte's count, so a module's deletable bytes are summed once
  for (unsigned char c : value) ++count[c];
  for (const auto& m : tables.id_modules) {
    Pos deletable = 0;
    for (unsigned char c : m.deletes) deletable += count[c];
    const Pos lo = std::max<Pos>(0, n - deletable - m.strip), hi = n + m.grow;
    auto accepts = [&](Pos length) {
      return length > tables.id_probed ||
             (length >= 0 && length < static_cast<Pos>(m.accepted.size()) && m.accepted[length]);
    };
    if (lo <= m.pad && accepts(m.pad)) return true;
    for (Pos length = lo; length <= hi; ++length)
      if (accepts(length)) return true;
  }
  return false;
}

bool luhn_ok(std::string_view digits) {
  int total = 0;
  int i = 0;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it, ++i) {
    int d = static_cast<unsigned char>(*it) - 48;
    if (i % 2) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    total += d;
  }
  return total % 10 == 0;
}

int leading_int(std::string_view digits, size_t k) {
  int v = 0;
  for (size_t i = 0; i < k && i < digits.size(); ++i) v = v * 10 + (digits[i] - '0');
  return v;
}

bool card_prefix_ok(std::string_view d) {
  const size_t n = d.size();
  const int two = leading_int(d, 2), three = leading_int(d, 3), four = leading_int(d, 4);
  if (d[0] == '4') return n == 13 || n == 16 || n == 19;                    // Visa
  if ((51 <= two && two <= 55) || (2221 <= four && four <= 2720)) return n == 16;  // Mastercard
  if (2200 <= four && four <= 2204) return 16 <= n && n <= 19;               // Mir
  if (two == 34 || two == 37) return n == 15;                                // Amex
  if (two == 36 || two == 38 || two == 39 || (300 <= three && three <= 305))
    return 14 <= n && n <= 19;                                               // Diners
  if (two == 35) return 16 <= n && n <= 19;                                  // JCB
  if (four == 6011 || two == 65 || (644 <= three && three <= 649)) return 16 <= n && n <= 19;
  if (two == 62 || two == 81) return 16 <= n && n <= 19;                    // UnionPay
  if (two == 50 || two == 56 || two == 57 || two == 58 || two == 63 || two == 67 || two == 69)
    return 12 < n && n <= 19;                                                // Maestro
  return false;
}

bool ssn_ok(std::string_view area, std::string_view group, std::string_view serial) {
  return area != "000" && area != "666" && area.substr(0, 1) != "9" && group != "00" &&
         serial != "0000";
}

int base36(unsigned char c) {
  if (is_digit(c)) return c - '0';
  if (is_upper(c)) return c - 'A' + 10;
  if (is_lower(c)) return c - 'a' + 10;
  throw std::invalid_argument("IBAN holds a character that is not alphanumeric");
}

bool iban_ok(const std::string& compact, const Tables& tables) {
  auto it = tables.iban_lengths.find(compact.substr(0, 2));
  if (it == tables.iban_lengths.end() || it->second != static_cast<int>(compact.size()))
    return false;
  if (compact.size() < 4 || !is_digit(compact[2]) || !is_digit(compact[3])) return false;
  std::string rearranged = compact.substr(4) + compact.substr(0, 4);
  int mod = 0;
  for (unsigned char c : rearranged) {
    int v = base36(c);
    mod = (v >= 10 ? mod * 100 + v : mod * 10 + v) % 97;
  }
  return mod == 1;
}

bool ipv4_ok(std::string_view s) {
  int parts = 0;
  size_t pos = 0;
  while (true) {
    size_t dot = s.find('.', pos);
    std::string_view part = s.substr(pos, dot == std::string_view::npos ? s.npos : dot - pos);
    ++parts;
    if (parts > 4) return false;
    if (part.empty() || part.size() > 3 || (part.size() > 1 && part[0] == '0')) return false;
    int v = 0;
    for (unsigned char c : part) {
      if (!is_digit(c)) return false;  // int() would raise; the pattern has digits only
      v = v * 10 + (c - '0');
    }
    if (v > 255) return false;
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  return parts == 4;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t at = s.find(sep, pos);
    if (at == std::string_view::npos) {
      out.push_back(s.substr(pos));
      return out;
    }
    out.push_back(s.substr(pos, at - pos));
    pos = at + 1;
  }
}

// ipaddress.IPv4Address(s) accepts s (Python 3.11 rules).
bool py_ipv4_address(std::string_view s) {
  if (s.empty()) return false;
  auto octets = split(s, '.');
  if (octets.size() != 4) return false;
  for (auto o : octets) {
    if (o.empty() || o.size() > 3) return false;
    for (unsigned char c : o)
      if (!is_digit(c)) return false;
    if (o != "0" && o[0] == '0') return false;
    if (leading_int(o, 3) > 255) return false;
  }
  return true;
}

bool is_hex(unsigned char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// ipaddress.IPv6Address(s) accepts s (Python 3.11 _ip_int_from_string).
bool py_ipv6_address(std::string_view s) {
  if (s.empty()) return false;
  if (s.find('/') != s.npos || s.find('%') != s.npos) return false;  // never in our matches
  auto parts = split(s, ':');
  if (parts.size() < 3) return false;
  bool tail = false;
  if (parts.back().find('.') != std::string_view::npos) {
    if (!py_ipv4_address(parts.back())) return false;
    parts.pop_back();
    tail = true;  // stands for two hextets, both valid
  }
  const size_t count = parts.size() + (tail ? 2 : 0);
  if (count > 9) return false;
  auto part_empty = [&](size_t i) { return i < parts.size() ? parts[i].empty() : false; };
  std::optional<size_t> skip;
  for (size_t i = 1; i + 1 < count; ++i) {
    if (part_empty(i)) {
      if (skip) return false;
      skip = i;
    }
  }
  size_t hi, lo;
  if (skip) {
    long parts_hi = static_cast<long>(*skip);
    long parts_lo = static_cast<long>(count - *skip - 1);
    if (part_empty(0)) {
      if (--parts_hi) return false;
    }
    if (part_empty(count - 1)) {
      if (--parts_lo) return false;
    }
    if (8 - (parts_hi + parts_lo) < 1) return false;
    hi = static_cast<size_t>(parts_hi);
    lo = static_cast<size_t>(parts_lo);
  } else {
    if (count != 8 || part_empty(0) || part_empty(count - 1)) return false;
    hi = count;
    lo = 0;
  }
  auto hextet_ok = [&](size_t i) {
    if (i >= parts.size()) return true;  // from the IPv4 tail
    auto h = parts[i];
    if (h.empty() || h.size() > 4) return false;
    for (unsigned char c : h)
      if (!is_hex(c)) return false;
    return true;
  };
  for (size_t i = 0; i < hi; ++i)
    if (!hextet_ok(i)) return false;
  for (size_t i = count - lo; i < count; ++i)
    if (!hextet_ok(i)) return false;
  return true;
}

bool ipv6_ok(std::string_view s) {
  if (!py_ipv6_address(s)) return false;
  size_t groups = 0, longest = 0;
  for (auto g : split(s, ':')) {
    if (g.empty()) continue;
    ++groups;
    longest = std::max(longest, g.size());
  }
  return groups >= 3 || (groups == 2 && longest >= 3);
}

// checksums.entropy_at_least, term for term (Python 3.11 float arithmetic).
bool entropy_at_least(std::string_view value, double threshold) {
  const double margin = 1e-9;
  const size_t n = value.size();
  if (!n) return threshold <= 0.0;
  // Counts in order of first occurrence, as collections.Counter iterates.
  int counts[256] = {0};
  unsigned char order[256];
  size_t k = 0;
  for (unsigned char c : value) {
    if (!counts[c]++) order[k++] = c;
  }
  const double dn = static_cast<double>(n);
  if (std::log2(static_cast<double>(k)) < threshold - margin) return false;
  const double top = static_cast<double>(n - k + 1);
  const double skewed =
      -(top / dn * std::log2(top / dn) + static_cast<double>(k - 1) / dn * std::log2(1 / dn));
  if (skewed >= threshold + margin) return true;
  int most = 0;
  for (size_t i = 0; i < k; ++i) most = std::max(most, counts[order[i]]);
  if (std::log2(dn / most) >= threshold + margin) return true;
  double sum = 0.0;
  for (size_t i = 0; i < k; ++i) {
    const double p = counts[order[i]] / dn;
    sum += p * std::log2(p);
  }
  return -sum >= threshold;
}

bool looks_random(std::string_view value) {
  bool digit = false, letter = false;
  for (unsigned char c : value) {
    digit |= is_digit(c);
    letter |= is_alpha(c);
  }
  return digit && letter;
}

// ---------------------------------------------------------------- pii.py validators

// memchr itself, not string_view::find: whether GCC inlines find here moved with unrelated
// code (246,224 calls through an out-of-line clone per corpus pass, +0.36 % instructions).
inline bool in(unsigned char b, std::string_view set) {
  return std::memchr(set.data(), b, set.size()) != nullptr;
}

constexpr std::string_view kNumericJoiners = ".-/:,";

bool glued_before(const Text& t, Pos start) {
  unsigned char before = t.before(start);
  if (is_word(before)) return true;
  return in(before, kNumericJoiners) && start > 1 && is_digit(t.d[start - 2]);
}

bool glued_after(const Text& t, Pos end) {
  unsigned char after = t.at(end);
  if (is_word(after)) return true;
  return in(after, kNumericJoiners) && end + 1 < t.n && is_digit(t.d[end + 1]);
}

bool glued_to_number(const Text& t, Pos start, Pos end) {
  return glued_before(t, start) || glued_after(t, end);
}

bool number_follows(const Text& t, Pos end) {
  unsigned char after = t.at(end);
  if (is_digit(after)) return true;
  return in(after, kNumericJoiners) && end + 1 < t.n && is_digit(t.d[end + 1]);
}

bool email(const Text& t, const Tables& tables, Pos& start, Pos& end) {
  while (start < end && t.d[start] == '.') ++start;
  if (t.before(start) == ':' && t.find("://", std::max<Pos>(0, start - 300), start) >= 0)
    return false;
  Pos at = t.find_byte('@', start, end);
  if (at < 0) throw std::logic_error("e-mail match without @");
  if (at == start || t.d[at - 1] == '.' || at - start > 64) return false;
  auto labels = split(t.view(at + 1, end), '.');
  for (auto x : labels) {
    if (x.empty() || x.size() > 63 || x.front() == '-' || x.back() == '-') return false;
  }
  std::string last(labels.back());
  for (auto& c : last) c = static_cast<char>(lower(static_cast<unsigned char>(c)));
  return !tables.file_extensions.count(last);
}

bool phone(const Text& t, Pos& start, Pos& end) {
  if (glued_before(t, start) || t.before(start) == '+') return false;
  const bool plus = t.d[start] == '+';
  if (glued_after(t, end) && !(plus && number_follows(t, end))) return false;
  bool glued = t.before(start) == ' ' && is_digit(t.before(start - 1));
  if (glued && is_digit(t.d[start])) return false;
  std::string_view span = t.view(start, end);
  Pos digits = count_digits(span);
  bool ok;
  if (plus) {
    glued = glued_after(t, end);
    while ((digits > 15 || (glued && number_follows(t, end))) &&
           span.find_first_of(" .-") != span.npos) {
      size_t cut = span.find_last_of(" .-");
      digits -= count_digits(span.substr(cut));
      span = span.substr(0, cut);
      end = start + static_cast<Pos>(cut);
    }
    ok = 8 <= digits && digits <= 15 && !(glued && glued_after(t, end));
  } else if (span[0] == '0' || span.substr(0, 2) == "(0") {
    ok = 9 <= digits && digits <= 12;
  } else {
    ok = digits == 10 || (digits == 11 && span[0] == '1');
  }
  return ok;
}

bool card_digits_ok(std::string_view digits) {
  return 13 <= digits.size() && digits.size() <= 19 && card_prefix_ok(digits) && luhn_ok(digits);
}

// pii._card: the longest run of digit groups in [start, end) that is a valid card.
std::optional<Span> card(const Text& t, Pos start, Pos end) {
  std::vector<Span> groups;
  Pos pos = start;
  for (Pos i = start; i <= end; ++i) {
    if (i == end || t.d[i] == ' ' || t.d[i] == '-') {
      groups.push_back({pos, i});
      pos = i + 1;
    }
  }
  std::optional<Span> best;
  std::string compact;
  for (size_t i = 0; i < groups.size(); ++i) {
    Pos digits = 0;
    for (size_t j = i; j < groups.size(); ++j) {
      if (j > i + 1 && t.d[groups[j - 1].second] != t.d[groups[i].second]) break;
      Pos length = groups[j].second - groups[j].first;
      digits += length;
      if (digits > 19) break;
      Pos s = groups[i].first, e = groups[j].second;
      bool longer = !best || e - s > best->second - best->first;
      if (digits >= 13 && longer && !glued_to_number(t, s, e)) {
        std::string_view raw = t.view(s, e);
        bool ok;
        if (i == j) {
          ok = card_digits_ok(raw);
        } else {
          compact.clear();
          for (char c : raw)
            if (c != ' ' && c != '-') compact.push_back(c);
          ok = card_digits_ok(compact);
        }
        if (ok) best = Span{s, e};
      }
      if (!(3 <= length && length <= 6)) break;
    }
  }
  return best;
}

// pii._cards: every card in a digit-group run, and where to resume scanning.
// pii._iban_head_before: "XX99 " (an IBAN's country code and check digits, alone) right
// before start.
bool iban_head_before(const Text& t, Pos start) {
  if (start < 5 || t.d[start - 1] != ' ') return false;
  if (!is_upper(t.d[start - 5]) || !is_upper(t.d[start - 4]) || !is_digit(t.d[start - 3]) ||
      !is_digit(t.d[start - 2]))
    return false;
  return start == 5 || !word_byte(t.d[start - 6]);
}

Pos cards(const Text& t, Pos start, Pos end, std::vector<Span>& found) {
  if (iban_head_before(t, start)) return end;  // RS35 2600 0560 1001 6113 70: an IBAN's groups
  Pos stop = end;
  while (start < stop) {
    auto best = card(t, start, stop);
    if (!best) break;
    found.push_back(*best);
    stop = best->first - 1;
  }
  std::reverse(found.begin(), found.end());
  if (!found.empty()) return found.back().second;
  if (end + 1 < t.n && (t.d[end] == ' ' || t.d[end] == '-') && is_digit(t.d[end + 1])) {
    Pos resume = end, digits = 0, group_end = end;
    // The groups of [start, end) right to left, leaving out the first.
    std::vector<Pos> lengths;
    Pos part_start = start;
    for (Pos i = start; i <= end; ++i) {
      if (i == end || t.d[i] == ' ' || t.d[i] == '-') {
        lengths.push_back(i - part_start);
        part_start = i + 1;
      }
    }
    for (size_t k = lengths.size(); k-- > 1;) {
      digits += lengths[k];
      if (digits >= 19) break;
      resume = group_end - lengths[k];
      group_end = resume - 1;
    }
    return resume;
  }
  return end;
}

bool ssn(const Text& t, Pos& start, Pos& end) {
  if (glued_to_number(t, start, end)) return false;
  std::string_view span = t.view(start, end);
  if (span.size() == 11) {
    if (span[3] != span[6]) return false;
    return ssn_ok(span.substr(0, 3), span.substr(4, 2), span.substr(7, 4));
  }
  return ssn_ok(span.substr(0, 3), span.substr(3, 2), span.substr(5, 4));
}

bool ssn_after_key_word(const Text& t, Pos& start, Pos& end) {
  start = end - 9;
  return ssn(t, start, end);
}

bool iban(const Text& t, const Tables& tables, Pos& start, Pos& end) {
  if (is_word(t.before(start))) return false;
  auto it = tables.iban_lengths.find(std::string(t.view(start, std::min(start + 2, t.n))));
  if (it == tables.iban_lengths.end()) return false;
  const int length = it->second;
  int seen = 0;
  Pos pos = start;
  while (pos < end && seen < length) {
    if (t.d[pos] != ' ') ++seen;
    ++pos;
  }
  if (seen < length || is_word(t.at(pos))) return false;
  std::string compact;
  for (char c : t.view(start, pos))
    if (c != ' ') compact.push_back(c);
  if (!iban_ok(compact, tables)) return false;
  end = pos;
  return true;
}

bool ipv4(const Text& t, Pos& start, Pos& end) {
  unsigned char before = t.before(start), after = t.at(end);
  if (is_word(before) || is_word(after) || !ipv4_ok(t.view(start, end))) return false;
  if (before == '.' || (after == '.' && is_digit(t.at(end + 1)))) return false;
  std::string context(t.view(std::max<Pos>(0, start - 10), start));
  for (auto& c : context) c = static_cast<char>(lower(static_cast<unsigned char>(c)));
  std::string_view ctx(context);
  auto ends_with = [&](std::string_view s) {
    return ctx.size() >= s.size() && ctx.substr(ctx.size() - s.size()) == s;
  };
  if (ends_with("v") || ends_with("==") || ends_with(">=") || ends_with("<=") || ends_with("~=") ||
      ctx.find("version") != ctx.npos)
    return false;
  // a release's name-version (hasql-1.6.0.1): '-' after a letter (context is lower-cased)
  if (before == '-' && ctx.size() >= 2 && is_lower(static_cast<unsigned char>(ctx[ctx.size() - 2])))
    return false;
  return true;
}

bool ipv6(const Text& t, Pos& start, Pos& end) {
  auto slice_is = [&](Pos a, Pos b, std::string_view s) {
    Span sp = py_slice(a, b, t.n);
    return t.view(sp.first, sp.second) == s;
  };
  if (t.d[start] == ':' && !slice_is(start, start + 2, "::")) ++start;
  if (t.d[end - 1] == ':' && !slice_is(end - 2, end, "::")) --end;
  unsigned char before = t.before(start), after = t.at(end);
  if (is_word(before) || is_word(after) || before == '.' || before == ':') return false;
  if (after == '.' && is_digit(t.at(end + 1))) return false;
  Span sp = py_slice(start, end, t.n);
  return ipv6_ok(t.view(sp.first, sp.second));
}

// ---------------------------------------------------------------- credentials.py validators

bool is_template(std::string_view v) {
  auto two = v.substr(0, 2);
  return two == "%(" || two == "{{" || two == "${" || v == "%s" || v == "%r";
}

bool only_of(std::string_view v, std::string_view alphabet) {
  for (unsigned char c : v)
    if (!in(c, alphabet)) return false;
  return true;
}

bool is_reference(std::string_view v) {
  if ((!v.empty() && in(v[0], "${<[/=*")) || is_template(v)) return true;
  bool any = false, alpha = true;
  for (unsigned char c : v) {
    if (c == '.' || c == '_') continue;
    any = true;
    alpha &= is_alpha(c);
  }
  return !any || alpha;
}

bool password_value(const Text& t, const Tables& tables, Pos& start, Pos& end) {
  unsigned char quote = t.d[start];
  if (quote == '"' || quote == '\'') {
    ++start;
    if (t.d[end - 1] == quote && end > start) --end;
    std::string_view value = t.view(start, std::max(start, end));
    bool blank = true;
    for (unsigned char c : value) blank &= is_py_space(c);
    if (blank || in(value[0], "${<") || only_of(value, "*x")) return false;
    return !is_template(value);
  }
  std::string_view value = t.view(start, end);
  unsigned char after = t.at(end);
  if (after == '(' || after == '[' || after == '.' || is_reference(value)) return false;
  std::string low(value);
  for (auto& c : low) c = static_cast<char>(lower(static_cast<unsigned char>(c)));
  return !tables.placeholder_values.count(low);
}

// urlstandins.documentation_host: the URL host at data[at:] is reserved for documentation
// (RFC 2606/6761 names, RFC 5737 and RFC 3849 blocks) or is loopback.
bool documentation_host(std::string_view data, size_t at) {
  auto starts = [](std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; };
  if (at < data.size() && data[at] == '[') {
    const size_t limit = std::min(data.size(), at + 48);
    size_t close = at;
    while (close < limit && data[close] != ']') ++close;
    std::string literal;
    if (close < limit && close > 0)
      for (size_t i = at + 1; i < close; ++i) literal.push_back(static_cast<char>(lower(data[i])));
    return literal == "::1" || starts(literal, "2001:db8:");
  }
  size_t stop = at;
  const size_t limit = std::min(data.size(), at + 253);
  while (stop < limit) {
    const unsigned char c = data[stop];
    if (!(is_digit(c) || is_alpha(c) || c == '.' || c == '-' || c == '_')) break;
    ++stop;
  }
  std::string host;
  for (size_t i = at; i < stop; ++i) host.push_back(static_cast<char>(lower(data[i])));
  while (!host.empty() && host.back() == '.') host.pop_back();
  for (std::string_view block : {"127.", "192.0.2.", "198.51.100.", "203.0.113."})
    if (starts(host, block)) return true;
  std::vector<std::string> labels(1);
  for (char c : host) {
    if (c == '.') labels.emplace_back();
    else labels.back().push_back(c);
  }
  const std::string& last = labels.back();
  if (last == "test" || last == "example" || last == "invalid" || last == "localhost") return true;
  return labels.size() >= 2 && labels[labels.size() - 2] == "example" &&
         (last == "com" || last == "net" || last == "org");
}

// urlstandins.stand_in: the URL password data[start:end] (its '@' at end) is a mask, two
// distinct characters, a template, an instruction, a regular expression's wildcard, or
// the field's name on a documentation host.
bool url_stand_in(std::string_view data, size_t start, size_t end) {
  const std::string_view value = data.substr(start, end - start);
  bool mask = true;
  for (size_t i = 0; i < value.size();) {
    const std::string_view rest = value.substr(i);
    if (rest.substr(0, 3) == "\xE2\x80\xA2" || rest.substr(0, 3) == "\xE2\x97\x8F") {
      i += 3;
      continue;
    }
    if (!in(static_cast<unsigned char>(value[i]), "*xX#.")) { mask = false; break; }
    ++i;
  }
  if (mask) return true;
  std::string low, compact;
  for (unsigned char c : value) {
    low.push_back(static_cast<char>(lower(c)));
    if (c != '-' && c != '_') compact.push_back(static_cast<char>(lower(c)));
  }
  bool seen[256] = {false};
  int distinct = 0;
  for (unsigned char c : compact)
    if (!seen[c]) seen[c] = true, ++distinct;
  if (distinct <= 2 || in(static_cast<unsigned char>(value[0]), "${[<")) return true;
  for (const char* word : {"your", "replace", "changeme", "change_me", "placeholder", "_here"})
    if (low.find(word) != std::string::npos) return true;
  for (const char* wildcard : {".*", ".+"})  // urlstandins._WILDCARDS: a regular expression
    if (value.find(wildcard) != std::string_view::npos) return true;
  for (const char* name :
       {"password", "passwd", "pwd", "secret", "mypassword", "mysecret", "dbpassword"})
    if (compact == name) return documentation_host(data, end + 1);
  return false;
}

// urlstandins.holds_password: scheme://user:PASS@ with a PASS that is neither the user
// name repeated nor a stand-in; an arn: holding '@', too.
bool url_holds_password(std::string_view url) {
  const size_t sep = url.find("://");
  if (sep == std::string_view::npos) return url.find('@') != std::string_view::npos;
  size_t end = url.size();
  for (char stop : {'/', '?', '#'}) {
    const size_t found = url.find(stop, sep + 3);
    if (found != std::string_view::npos && found < end) end = found;
  }
  const std::string_view authority = url.substr(sep + 3, end - sep - 3);
  const size_t at_rel = authority.rfind('@');
  if (at_rel == std::string_view::npos) return false;
  const size_t colon_rel = authority.substr(0, at_rel).find(':');
  if (colon_rel == std::string_view::npos || colon_rel + 1 == at_rel) return false;
  const size_t colon = sep + 3 + colon_rel, at = sep + 3 + at_rel;
  if (url.substr(sep + 3, colon - sep - 3) == url.substr(colon + 1, at - colon - 1)) return false;
  return !url_stand_in(url, colon + 1, at);
}

bool url_password_match(const Text& t, Pos& start, Pos& end) {
  Pos scheme = t.find("://", start, end);
  if (scheme < 0) throw std::logic_error("URL match without ://");
  Pos colon = t.find_byte(':', scheme + 3, end);
  if (colon < 0) throw std::logic_error("URL password match without :");
  start = colon + 1;
  end = end - 1;
  std::string_view value = t.view(start, std::max(start, end));
  if ((!value.empty() && (value[0] == '$' || value[0] == '{')) || is_template(value) ||
      only_of(value, "*x"))
    return false;
  // credentials._url_password: `user:user@`, the user name repeated
  const Pos size = static_cast<Pos>(value.size());
  Pos user = start - 2;  // data.rfind(b"/", max(0, start - 2 - len), start - 1)
  const Pos floor = std::max<Pos>(0, start - 2 - size);
  while (user >= floor && t.d[user] != '/') --user;
  if (user >= floor && t.view(user + 1, start - 1) == value) return false;
  return !url_stand_in(t.view(0, t.n), static_cast<size_t>(start), static_cast<size_t>(end));
}

bool password_match(const Text& t, const Tables& tables, Pos& start, Pos& end) {
  Pos colon = t.find_byte(':', start, end), equals = t.find_byte('=', start, end);
  Pos sep = (colon < 0 || (0 <= equals && equals < colon)) ? equals : colon;
  Span rest = py_slice(sep + 1, end, t.n);
  Pos value_start = rest.first;
  while (value_start < rest.second && is_re2_space(t.d[value_start])) ++value_start;
  start = end - (rest.second - value_start);
  return password_value(t, tables, start, end);
}

constexpr std::string_view kSecretValueChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_.~-";

bool keyword_secret_match(const Text& t, const Tables& tables, Pos& start, Pos& end) {
  Pos value_start = end;
  while (value_start > start && t.d[value_start - 1] == '=') --value_start;
  while (value_start > start && in(t.d[value_start - 1], kSecretValueChars)) --value_start;
  if (end < t.n && t.d[end] == '(') return false;
  std::string_view value = t.view(value_start, end);
  std::string_view core = value;
  while (!core.empty() && core.front() == '=') core.remove_prefix(1);
  while (!core.empty() && core.back() == '=') core.remove_suffix(1);
  double threshold;
  if (looks_random(core)) {
    threshold = tables.min_secret_entropy;
  } else {
    bool has_upper = false, has_lower = false;
    for (unsigned char c : core) {
      has_upper |= is_upper(c);
      has_lower |= is_lower(c);
    }
    // core.lower() != core and core.upper() != core
    if (core.size() >= 16 && has_upper && has_lower) {
      threshold = tables.min_letters_only_entropy;
    } else {
      return false;
    }
  }
  if (!entropy_at_least(value, threshold)) return false;
  start = value_start;
  return true;
}

// credentials._holds_key_material: a run of [A-Za-z0-9+/=] 16 long, or 8 long with a
// digit, '+' or '/' in it.
bool key_material(std::string_view body) {
  int run = 0;
  bool marked = false;
  for (unsigned char c : body) {
    const bool mark = is_digit(c) || c == '+' || c == '/';
    if (mark || is_alpha(c) || c == '=') {
      ++run, marked = marked || mark;
      if (run >= 16 || (run >= 8 && marked)) return true;
    } else {
      run = 0, marked = false;
    }
  }
  return false;
}

// tokens.placeholder_body: of 8+ letters and digits, 80 % or more are x, X or 0.
bool placeholder_body(std::string_view body) {
  Pos alnum = 0, stand_ins = 0;
  const Pos most = static_cast<Pos>(body.size());
  for (unsigned char c : body) {
    alnum += is_digit(c) || is_alpha(c), stand_ins += c == 'x' || c == 'X' || c == '0';
    if ((alnum - stand_ins) * 4 > most) return false;  // stand-ins can no longer be 80 %
  }
  return alnum >= 8 && stand_ins * 5 >= alnum * 4;
}

// tokenstandins.slack_stand_in: a numbered Slack body without <id with a digit>-...<10+ bytes>.
bool slack_stand_in(std::string_view prefix, std::string_view body) {
  static const std::string_view kNumbered[] = {"xoxb-", "xoxp-", "xoxo-", "xoxs-",
                                               "xoxe-", "xoxe.xoxp-", "xoxe.xoxb-", "xapp-"};
  if (std::find(std::begin(kNumbered), std::end(kNumbered), prefix) == std::end(kNumbered))
    return false;
  const size_t dash = body.find('-');
  if (dash == std::string_view::npos) return true;
  bool numbered = false;
  for (size_t i = 0; i < dash; ++i) numbered |= is_digit(static_cast<unsigned char>(body[i]));
  if (!numbered) return true;
  const size_t last = body.rfind('-');
  const bool config = prefix == "xoxe.xoxp-" || prefix == "xoxe.xoxb-";  // SLACK_CONFIG
  return body.size() - (last + 1) < (config ? 146u : 10u);  // SLACK_CONFIG_MIN, SLACK_MIN_SECRET
}

// tokenstandins.slack_stand_in_value: a value opening with a numbered Slack prefix whose
// token (the run of [A-Za-z0-9-] after it) slack_stand_in rejects.
bool slack_stand_in_value(std::string_view value) {
  for (std::string_view prefix : {"xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxe-", "xoxe.xoxp-",
                                  "xoxe.xoxb-", "xapp-"}) {
    if (value.substr(0, prefix.size()) != prefix) continue;
    size_t end = prefix.size();
    for (; end < value.size(); ++end) {
      const unsigned char c = static_cast<unsigned char>(value[end]);
      if (!(is_digit(c) || is_alpha(c) || c == '-')) break;
    }
    return slack_stand_in(prefix, value.substr(prefix.size(), end - prefix.size()));
  }
  return false;
}

bool random_openai_body(std::string_view body) {
  std::string_view tail = body;
  if (body.size() > 40) {
    size_t dash = body.rfind('-');
    if (dash != body.npos) tail = body.substr(dash + 1);
  }
  return looks_random(tail) && entropy_at_least(tail, 3.5);
}

// ---------------------------------------------------------------- JWT headers

// base64url text -> bytes as base64.urlsafe_b64decode(text + padding) decodes it,
// or nullopt where that raises (a length of 4k + 1). The text holds only
// [A-Za-z0-9_-] (the JWT pattern's alphabet).
std::optional<std::string> b64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  auto value = [](unsigned char c) -> int {
    if (is_upper(c)) return c - 'A';
    if (is_lower(c)) return c - 'a' + 26;
    if (is_digit(c)) return c - '0' + 52;
    return c == '-' ? 62 : 63;  // '_'
  };
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned bits = 0;
  int count = 0;
  for (unsigned char c : text) {
    bits = (bits << 6) | static_cast<unsigned>(value(c));
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

// Which of the keys "alg" and "typ" a JWT header names, for headers whose JSON is a
// flat object of ASCII string keys and string, integer, true, false or null values
// without escapes: json.loads surely parses those (to a dict). Anything else
// (escapes, nesting, floats, other encodings, bad JSON) gets nullopt, and the Python
// function decides. Text that does not decode (binascii.Error) names neither.
struct JwtKeys {
  bool alg = false;
  bool typ = false;
};
std::optional<JwtKeys> simple_jwt_keys(std::string_view header) {
  auto decoded = b64url_decode(header);
  if (!decoded) return JwtKeys{};  // the Python functions return False/None on binascii.Error
  std::string_view j = *decoded;
  size_t i = 0;
  auto ws = [&] { while (i < j.size() && in(j[i], " \t\n\r")) ++i; };
  auto string = [&](std::string_view* out) {
    if (i >= j.size() || j[i] != '"') return false;
    const size_t from = ++i;
    while (i < j.size() && j[i] != '"') {
      const auto c = static_cast<unsigned char>(j[i]);
      if (c < 0x20 || c >= 0x7F || c == '\\') return false;
      ++i;
    }
    if (i >= j.size()) return false;
    if (out) *out = j.substr(from, i - from);
    ++i;
    return true;
  };
  auto word = [&](std::string_view w) {
    if (j.substr(i, w.size()) != w) return false;
    i += w.size();
    return true;
  };
  auto integer = [&] {
    if (i < j.size() && j[i] == '-') ++i;
    if (i >= j.size() || !is_digit(static_cast<unsigned char>(j[i]))) return false;
    if (j[i++] != '0')
      while (i < j.size() && is_digit(static_cast<unsigned char>(j[i]))) ++i;
    // a fraction or exponent is valid JSON too, but leave those to Python
    return i >= j.size() || !in(j[i], ".eE0123456789");
  };
  ws();
  if (i >= j.size() || j[i++] != '{') return std::nullopt;
  JwtKeys keys;
  ws();
  if (i < j.size() && j[i] == '}') {
    ++i;
  } else {
    while (true) {
      std::string_view key;
      ws();
      if (!string(&key)) return std::nullopt;
      keys.alg |= key == "alg";
      keys.typ |= key == "typ";
      ws();
      if (i >= j.size() || j[i++] != ':') return std::nullopt;
      ws();
      if (!(string(nullptr) || word("true") || word("false") || word("null") || integer()))
        return std::nullopt;
      ws();
      if (i < j.size() && j[i] == ',') {
        ++i;
        continue;
      }
      if (i < j.size() && j[i] == '}') {
        ++i;
        break;
      }
      return std::nullopt;
    }
  }
  ws();
  if (i != j.size()) return std::nullopt;
  return keys;
}

// What credentials.jwt_header_ok answers where simple_jwt_keys knows (a key "alg").
std::optional<bool> simple_jwt_header(std::string_view header) {
  auto keys = simple_jwt_keys(header);
  if (!keys) return std::nullopt;
  return keys->alg;
}

// ---------------------------------------------------------------- detectors

enum class Validator {
  kNone, kEmail, kPhone, kCards, kSsn, kSsnKeyword, kIban, kIpv4, kIpv6,
  kJwt, kUrlPassword, kPassword, kKeywordSecret,
  kPython,  // a Python function (data, start, end) -> (start, end) | None, called back
  kMailbox,  // a region rule only (tables["regions"]): the mailboxes pattern, Python-validated
};

Validator validator_named(const std::string& name) {
  static const std::map<std::string, Validator> names = {
      {"", Validator::kNone},
      {"email", Validator::kEmail},
      {"phone", Validator::kPhone},
      {"cards", Validator::kCards},
      {"ssn", Validator::kSsn},
      {"ssn_keyword", Validator::kSsnKeyword},
      {"iban", Validator::kIban},
      {"ipv4", Validator::kIpv4},
      {"ipv6", Validator::kIpv6},
      {"jwt", Validator::kJwt},
      {"url_password", Validator::kUrlPassword},
      {"password", Validator::kPassword},
      {"keyword_secret", Validator::kKeywordSecret},
      {"python", Validator::kPython},
  };
  auto it = names.find(name);
  if (it == names.end()) throw std::invalid_argument("unknown validator " + name);
  return it->second;
}

// ---------------------------------------------------------------- regions

// The engine's Python scan runs every detector's RE2 search over the whole text
// unless an RE2::Set of prefilters rules it out; that costs one pass per detector
// (and one for the set). Here, most detectors search only *regions*: the maximal
// runs of the bytes their pattern can consume that hold a byte or string every
// match holds. A match is a contiguous run of such bytes containing that seed, so
// it lies inside one region, and searching each region (RE2 still sees the text
// around it for \b) finds exactly the matches a search of the whole text finds:
//
//   validator  pattern's bytes (superset)          seed / condition on the region
//   email      ASCII alnum ._%+-@ and bytes >= 0x80 "@"
//   mailbox    ASCII alnum, atext symbols           "@"; where a run opens with `"@` (a
//              !#$%&'*+/=?^_`{|}~.-@, bytes >= 0x80 quoted local part ends there), from the
//                                                   start of its line (no CR, LF inside quotes)
//   jwt        [A-Za-z0-9_.-]                       "eyJ"
//   url        anything but \t \n \f \r space "'<>  "://"
//   ipv6       [0-9A-Fa-f:.]                        "::" or 6 colons
//   iban       [A-Z0-9 ]                            \b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11}
//   cards      [0-9 .()+-] (digit clusters)         13 digits joined by single [ -]
//   ssn        [0-9 .()+-]                          groups of 3, 2 and 4 digits joined by
//                                                   single [ -], at word boundaries
//   ipv4       [0-9 .()+-]                          3 dots in a run of [0-9.]
//   phone      [0-9 .()+-]                          "+[1-9]"; or 10 digits in a run of
//                                                   [0-9 .()-]; or a group "0[1-9]..." at a
//                                                   word boundary and 4 digits from it on in
//                                                   a run of [0-9 ()-]
//
// "SSN: 123456789" searches the 64 bytes before each run of exactly 9 digits
// and the run (the key word, spaces and separator take at most 41 bytes). The
// key-word detectors (password, secret) search the whole text, or nothing when it
// holds no ":" or "=" (the separator every match has; or "bearer" for secret).
// Provider tokens are found without RE2 (see PrefixFinder). tests/unit/redaction/test_native.py checks that the compiled scan finds
// what the Python one finds, on the labelled corpus and on generated text.

struct Alphabet {
  bool in[256] = {false};
  template <typename Pred>
  static Alphabet of(Pred pred) {
    Alphabet a;
    for (int b = 0; b < 256; ++b) a.in[b] = pred(static_cast<unsigned char>(b));
    return a;
  }
};

const Alphabet kEmailBytes = Alphabet::of([](unsigned char b) {
  return b >= 0x80 || is_word(b) || in(b, "._%+-@");
});
const Alphabet kMailboxBytes = Alphabet::of([](unsigned char b) {
  return b >= 0x80 || is_word(b) || in(b, "!#$%&'*+/=?^_`{|}~.-@");
});
const Alphabet kJwtBytes = Alphabet::of([](unsigned char b) {
  return is_word(b) || b == '.' || b == '-';
});
const Alphabet kUrlBytes = Alphabet::of([](unsigned char b) {
  return !is_re2_space(b) && !in(b, "\"'<>");
});
const Alphabet kIbanBytes = Alphabet::of([](unsigned char b) {
  return is_upper(b) || is_digit(b) || b == ' ';
});
const Alphabet kIpv6Bytes = Alphabet::of([](unsigned char b) {
  return is_hex(b) || b == ':' || b == '.';
});
const Alphabet kNumberBytes = Alphabet::of([](unsigned char b) {
  return is_digit(b) || in(b, " .()+-");
});

using Regions = std::vector<Span>;

// The maximal run of `a` around position `at`, not reaching back before `floor`.
Span run_around(const Text& t, Pos at, Pos floor, const Alphabet& a) {
  Pos l = at, r = at;
  while (l > floor && a.in[t.d[l - 1]]) --l;
  while (r < t.n && a.in[t.d[r]]) ++r;
  return {l, r};
}

// Maximal runs of `a` holding an occurrence of `seed`.
Regions runs_with(const Text& t, std::string_view seed, const Alphabet& a) {
  Regions out;
  Pos covered = 0;
  for (Pos at = t.find(seed, 0, t.n); at >= 0; at = t.find(seed, at + 1, t.n)) {
    if (at < covered) continue;
    Span run = run_around(t, at, covered, a);
    out.push_back(run);
    covered = run.second;
  }
  return out;
}

// The first digit of each run of ASCII digits, ascending, 16 bytes at a time with SSE2.
// Worked out once per text (Scope::digit_runs) and shared by the number regions and
// every start rule that walks digit runs.
std::vector<Pos> find_digit_runs(const Text& t) {
  std::vector<Pos> out;
  Pos i = 0;
  bool digit_before = false;
#if defined(__SSE2__)
  const __m128i low = _mm_set1_epi8(static_cast<char>('0' - 1 - 128));
  const __m128i high = _mm_set1_epi8(static_cast<char>('9' + 1 - 128));
  const __m128i flip = _mm_set1_epi8(static_cast<char>(-128));
  for (; i + 16 <= t.n; i += 16) {
    // Signed compares on bytes shifted by 128 compare them as unsigned.
    const __m128i v = _mm_xor_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t.d + i)), flip);
    const unsigned digits = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpgt_epi8(v, low), _mm_cmplt_epi8(v, high))));
    unsigned firsts = digits & ~((digits << 1) | (digit_before ? 1u : 0u));
    digit_before = digits >> 15 & 1;
    for (; firsts; firsts &= firsts - 1) out.push_back(i + __builtin_ctz(firsts));
  }
#endif
  for (; i < t.n; ++i) {
    const bool digit = is_digit(t.d[i]);
    if (digit && !digit_before) out.push_back(i);
    digit_before = digit;
  }
  return out;
}

// Appends a window to sorted windows, merging it with the last one if they overlap.
void add_window(Regions& out, Span w) {
  if (!out.empty() && w.first <= out.back().second) {
    out.back().second = std::max(out.back().second, w.second);
  } else {
    out.push_back(w);
  }
}

// The digit clusters of a text and the regions of the numeric detectors.
struct NumberRegions {
  Regions cards, ssn, ipv4, phone, iban;
  Regions ssn_keyword;  // the 64 bytes before each run of exactly 9 digits, and the run

  // `runs`: find_digit_runs(t). A cluster ends at a byte that is not a digit, so the first
  // run starting at or after its end is the next digit.
  NumberRegions(const Text& t, const std::vector<Pos>& runs) {
    Pos i = 0, iban_covered = 0;
    for (const Pos r : runs) {
      if (r < i) continue;
      i = r;
      Span c = run_around(t, i, 0, kNumberBytes);
      cluster(t, c);
      if (c.first == i && i >= iban_covered && iban_at(t, i - 2)) {
        Span run = run_around(t, i - 2, iban_covered, kIbanBytes);
        iban.push_back(run);
        iban_covered = run.second;
      }
      i = c.second;
    }
  }

  // \b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11} at s: the start every IBAN match has.
  static bool iban_at(const Text& t, Pos s) {
    if (s < 0 || s + 4 > t.n || is_word(t.before(s)) || !is_upper(t.d[s]) || !is_upper(t.d[s + 1]) ||
        !is_digit(t.d[s + 2]) || !is_digit(t.d[s + 3]))
      return false;
    Pos k = s + 4;
    for (int count = 0; count < 11; ++count) {
      if (k < t.n && t.d[k] == ' ') ++k;
      if (k >= t.n || !(is_upper(t.d[k]) || is_digit(t.d[k]))) return false;
      ++k;
    }
    return true;
  }

  // One cluster, digit group by digit group (see the table above for what each
  // detector needs).
  void cluster(const Text& t, Span c) {
    int chain = 0, run = 0;           // digits joined by single [ -]
    int dots = 0, dot_run = 0;        // dots in a run of [0-9.]
    int phone_run = 0, phone_ten = 0; // digits in a run of [0-9 .()-]
    int zero_run = -1;                // digits since a group "0[1-9]..." in [0-9 ()-], or -1
    bool plus = false, zero = false, ssn_shape = false;
    int prev2 = 0, prev1 = 0;         // lengths of the two groups before, joined by one [ -]
    Pos k = c.first;
    while (k < c.second) {
      const unsigned char b = t.d[k];
      if (!is_digit(b)) {
        if (b == '.') {
          dots = std::max(dots, ++dot_run);
        } else {
          dot_run = 0;
        }
        if (b == '+') {
          phone_run = 0;
          if (k + 1 < c.second && t.d[k + 1] >= '1' && t.d[k + 1] <= '9') plus = true;
        }
        if (b == '.' || b == '+') zero_run = -1;
        ++k;
        continue;
      }
      // a digit group [k, e) and the separator bytes [e, next)
      Pos e = k;
      while (e < c.second && is_digit(t.d[e])) ++e;
      const int len = static_cast<int>(e - k);
      const bool joined = k > c.first && (t.d[k - 1] == ' ' || t.d[k - 1] == '-') &&
                          (k - 1 == c.first || is_digit(t.d[k - 2]));
      run = joined ? run + len : len;
      chain = std::max(chain, run);
      if (joined && prev2 == 3 && prev1 == 2 && len == 4 && !is_word(t.at(e)) &&
          !is_word(t.before(k - 7)))
        ssn_shape = true;
      prev2 = joined ? prev1 : 0;
      prev1 = len;
      phone_run += len;
      phone_ten = std::max(phone_ten, phone_run);
      if (len >= 2 && b == '0' && t.d[k + 1] >= '1' && !is_word(t.before(k))) zero_run = 0;
      if (zero_run >= 0) {
        zero_run += len;
        zero |= zero_run >= 4;
      }
      if (len == 9) add_window(ssn_keyword, {std::max<Pos>(0, k - 64), e});
      k = e;
    }
    if (chain >= 13) cards.push_back(c);
    if (ssn_shape) ssn.push_back(c);
    if (dots >= 3) ipv4.push_back(c);
    if (plus || phone_ten >= 10 || zero) phone.push_back(c);
  }
};

// The mailboxes pattern (mailboxes._PATTERN): an unquoted local part, "@" and the domain
// are a run of kMailboxBytes holding "@"; a quoted local part ("…"@) may hold any byte but
// CR and LF, so a run opening with `"@` reaches back to the start of its line (taking in
// the regions found on that line before it, so that no match crosses two regions).
Regions mailbox_regions(const Text& t) {
  Regions out;
  Pos covered = 0;
  for (Pos at = t.find_byte('@', 0, t.n); at >= 0; at = t.find_byte('@', at + 1, t.n)) {
    if (at < covered) continue;
    Span run = run_around(t, at, covered, kMailboxBytes);
    covered = run.second;
    if (run.first > 0 && t.d[run.first - 1] == '"' && t.d[run.first] == '@') {
      Pos line = run.first - 1;
      while (line > 0 && t.d[line - 1] != '\n' && t.d[line - 1] != '\r') --line;
      while (!out.empty() && out.back().second >= line) out.pop_back();  // on this line
      run.first = line;
    }
    out.push_back(run);
  }
  return out;
}

// Runs of [0-9A-Fa-f:.] holding "::" or 6 colons.
Regions ipv6_regions(const Text& t) {
  Regions out;
  Pos covered = 0;
  for (Pos c = t.find_byte(':', 0, t.n); c >= 0; c = t.find_byte(':', c + 1, t.n)) {
    if (c < covered) continue;
    Span run = run_around(t, c, covered, kIpv6Bytes);
    int colons = 0;
    bool twice = false;
    for (Pos k = run.first; k < run.second; ++k) {
      if (t.d[k] != ':') continue;
      ++colons;
      twice |= k + 1 < run.second && t.d[k + 1] == ':';
    }
    if (twice || colons >= 6) out.push_back(run);
    covered = run.second;
  }
  return out;
}

// Where each detector of one text searches, worked out on first use.
class Scope {
 public:
  explicit Scope(const Text& t) : t_(t) {}

  // The regions to search for `v`, or nullptr for the whole text.
  const Regions* regions(Validator v) {
    switch (v) {
      case Validator::kEmail: return lazy(email_, [&] { return runs_with(t_, "@", kEmailBytes); });
      case Validator::kMailbox: return lazy(mailbox_, [&] { return mailbox_regions(t_); });
      case Validator::kJwt: return lazy(jwt_, [&] { return runs_with(t_, "eyJ", kJwtBytes); });
      case Validator::kUrlPassword: return lazy(url_, [&] { return runs_with(t_, "://", kUrlBytes); });
      case Validator::kIpv6: return lazy(ipv6_, [&] { return ipv6_regions(t_); });
      case Validator::kIban: return &numbers().iban;
      case Validator::kCards: return &numbers().cards;
      case Validator::kSsn: return &numbers().ssn;
      case Validator::kIpv4: return &numbers().ipv4;
      case Validator::kPhone: return &numbers().phone;
      case Validator::kSsnKeyword: return &numbers().ssn_keyword;
      case Validator::kPassword: return separator() ? nullptr : &none_;
      case Validator::kKeywordSecret: return separator() || bearer() ? nullptr : &none_;
      default: return nullptr;
    }
  }

 private:
  bool separator() {
    if (separator_ < 0) separator_ = t_.find_byte(':', 0, t_.n) >= 0 || t_.find_byte('=', 0, t_.n) >= 0;
    return separator_ == 1;
  }

  bool bearer() const {  // "bearer" in any case (no other character folds to these letters)
    for (unsigned char first : {'b', 'B'}) {
      for (Pos b = t_.find_byte(first, 0, t_.n); b >= 0 && b + 6 <= t_.n;
           b = t_.find_byte(first, b + 1, t_.n)) {
        bool all = true;
        for (int i = 1; i < 6 && all; ++i) all = lower(t_.d[b + i]) == "bearer"[i];
        if (all) return true;
      }
    }
    return false;
  }

  template <typename Make>
  const Regions* lazy(std::optional<Regions>& slot, Make make) {
    if (!slot) slot = make();
    return &*slot;
  }

  const NumberRegions& numbers() {
    if (!numbers_) numbers_.emplace(t_, digit_runs());
    return *numbers_;
  }

 public:
  // needle in the text (bytes.__contains__), found by memchr for whichever of its bytes
  // the text holds fewest of (counted on first use): a trigger's rarest byte is often
  // absent, and a guess by letter class (Text::find) is often wrong (issue 16, speed).
  bool contains(std::string_view needle) {
    counts();
    if (needle.empty()) return true;
    Pos r = 0;
    for (Pos i = 1; i < static_cast<Pos>(needle.size()); ++i)
      if ((*counts_)[static_cast<unsigned char>(needle[static_cast<size_t>(i)])] <
          (*counts_)[static_cast<unsigned char>(needle[static_cast<size_t>(r)])])
        r = i;
    if ((*counts_)[static_cast<unsigned char>(needle[static_cast<size_t>(r)])] == 0) return false;
    return t_.find_by(needle, r, 0, t_.n) >= 0;
  }

  // How often each byte value occurs in the text, counted on first use.
  const std::array<uint32_t, 256>& counts() {
    if (!counts_) {
      counts_.emplace();
      std::array<uint32_t, 256>& c = *counts_;
      c.fill(0);
      for (Pos i = 0; i < t_.n; ++i) ++c[t_.d[i]];
    }
    return *counts_;
  }

  // The first digit of each run of digits in the text, worked out on first use.
  const std::vector<Pos>& digit_runs() {
    if (!runs_) runs_ = find_digit_runs(t_);
    return *runs_;
  }

 private:
  const Text& t_;
  std::optional<Regions> email_, mailbox_, jwt_, url_, ipv6_;
  int separator_ = -1;  // ":" or "=" in the text: -1 not looked yet
  const Regions none_;
  std::optional<NumberRegions> numbers_;
  std::optional<std::vector<Pos>> runs_;
  std::optional<std::array<uint32_t, 256>> counts_;  // of each byte value

 public:
  std::vector<Pos> starts;  // each detector's anchored starts in turn (one allocation)
};

// ---------------------------------------------------------------- fixed-shape prefilters

// A prefilter that is a fixed-length run of byte classes (pattern_shapes.fixed_shape
// reads one class per position off the pattern; some positions hold a single byte),
// checked without the RE2::Set: memchr for whichever single byte the text holds fewest
// of, then every position compared around each hit, the ones after it first. At most
// pattern_shapes.MAX_SHAPE comparisons a hit, so linear (issue 16, speed).
struct Shape {
  std::vector<Alphabet> at;
  std::vector<Pos> singles;  // positions whose class is one byte
  std::vector<unsigned char> single_bytes;
  size_t slot = 0;  // its detector's prefilter slot

  explicit Shape(const std::vector<std::string>& tables) {
    if (tables.empty() || tables.size() > 64) throw std::invalid_argument("prefilter shape");
    for (const auto& table : tables) {
      if (table.size() != 256) throw std::invalid_argument("a shape table has 256 entries");
      Alphabet a;
      int count = 0, last = 0;
      for (int b = 0; b < 256; ++b)
        if ((a.in[b] = table[static_cast<size_t>(b)] != 0)) ++count, last = b;
      if (count == 1) {
        singles.push_back(static_cast<Pos>(at.size()));
        single_bytes.push_back(static_cast<unsigned char>(last));
      }
      at.push_back(a);
    }
    if (singles.empty()) throw std::invalid_argument("a prefilter shape needs a one-byte position");
  }

  bool occurs(const Text& t, Scope& scope) const {
    const auto& counts = scope.counts();
    size_t r = 0;
    for (size_t i = 1; i < singles.size(); ++i)
      if (counts[single_bytes[i]] < counts[single_bytes[r]]) r = i;
    if (counts[single_bytes[r]] == 0) return false;
    const Pos k = singles[r], len = static_cast<Pos>(at.size());
    const Pos last = t.n - (len - k - 1);  // a hit at or past it leaves too few bytes after
    for (Pos i = t.find_byte(single_bytes[r], k, last); i >= 0;
         i = t.find_byte(single_bytes[r], i + 1, last)) {
      const unsigned char* s = t.d + (i - k);
      Pos j = k + 1;
      while (j < len && at[static_cast<size_t>(j)].in[s[j]]) ++j;
      if (j < len) continue;
      j = k - 1;
      while (j >= 0 && at[static_cast<size_t>(j)].in[s[j]]) --j;
      if (j < 0) return true;
    }
    return false;
  }
};

// A prefilter (?i)word|word|… (pattern_shapes.word_list: ASCII words without the two
// letters whose case folding reaches beyond ASCII) checked without the RE2::Set: each
// word's byte that the text holds fewest of (both cases counted) is memchr'd in either
// case and the word compared around each hit, ignoring ASCII case.
struct WordList {
  std::vector<std::string> words;  // lower case
  size_t slot = 0;

  explicit WordList(std::vector<std::string> w) : words(std::move(w)) {
    for (const auto& word : words) {
      if (word.empty()) throw std::invalid_argument("an empty prefilter word");
      for (unsigned char c : word)
        if (c >= 0x80 || lower(c) != c || c == 'k' || c == 's')
          throw std::invalid_argument("a prefilter word must be lower-case ASCII without k, s");
    }
  }

  bool occurs(const Text& t, Scope& scope) const {
    const auto& counts = scope.counts();
    for (const auto& word : words) {
      const Pos m = static_cast<Pos>(word.size());
      auto both = [&](unsigned char c) { return counts[c] + (upper(c) != c ? counts[upper(c)] : 0); };
      size_t r = 0;
      for (size_t i = 1; i < word.size(); ++i)
        if (both(static_cast<unsigned char>(word[i])) < both(static_cast<unsigned char>(word[r]))) r = i;
      const unsigned char key = static_cast<unsigned char>(word[r]);
      if (both(key) == 0) continue;
      const Pos k = static_cast<Pos>(r), last = t.n - (m - k - 1);
      for (unsigned char variant : {key, upper(key)}) {
        for (Pos i = t.find_byte(variant, k, last); i >= 0; i = t.find_byte(variant, i + 1, last)) {
          Pos j = 0;
          while (j < m && lower(t.d[i - k + j]) == static_cast<unsigned char>(word[static_cast<size_t>(j)])) ++j;
          if (j == m) return true;
        }
        if (upper(key) == key) break;
      }
    }
    return false;
  }
};

// ---------------------------------------------------------------- anchored starts

// Some detectors' matches can only start where a cheap byte test holds: at a key word
// (the password assignments), at a '-' after a non-word byte (the flags), at a quote
// followed by 20 body bytes (quoted generated values), at a digit after a non-word byte
// that begins 12 digits joined by single [ .-] (other card numbers), two letters before
// two digits (IBANs in any case), where a phone number's three layouts can start (a '+'
// or '(' before a digit, a digit at a word start followed as each layout needs). Where
// such positions are sparse, the scan runs RE2
// anchored at each of them in turn instead of one unanchored search over the text:
// the first position (from where the search would start) at which the pattern matches
// is the leftmost match, and the anchored match there is the one the unanchored search
// returns (leftmost-first, same text as context for \b). So every rule must list every
// position a match can start at (a superset); native.START_RULES pins each rule to the
// digest of the pattern it was worked out from. Where the positions are dense (more
// than one per kStartsSparse bytes) the text is searched whole as before.
enum class StartRule { kNone, kKeyword, kDash, kQuoted, kDigitChain, kIbanAnyCase, kPhoneInContext };

constexpr Pos kStartsSparse = 24;

// Calls f(i) for each position i whose byte, ORed with 0x20 where `fold` (A-Z to a-z),
// is one of `bytes`, in order, until f returns false; 16 bytes at a time with SSE2 (a
// byte loop costs about what an RE2 pass does). Returns false when f did.
template <typename F>
bool each_byte_in(const Text& t, const std::vector<unsigned char>& bytes, bool fold, F f) {
  Pos i = 0;
#if defined(__SSE2__)
  __m128i wanted[16];
  const size_t k = std::min<size_t>(bytes.size(), 16);
  for (size_t j = 0; j < k; ++j) wanted[j] = _mm_set1_epi8(static_cast<char>(bytes[j]));
  const __m128i case_bit = _mm_set1_epi8(fold ? 0x20 : 0);
  if (bytes.size() <= 16) {
    for (; i + 16 <= t.n; i += 16) {
      const __m128i v = _mm_or_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t.d + i)), case_bit);
      __m128i any = _mm_cmpeq_epi8(v, wanted[0]);
      for (size_t j = 1; j < k; ++j) any = _mm_or_si128(any, _mm_cmpeq_epi8(v, wanted[j]));
      for (unsigned m = static_cast<unsigned>(_mm_movemask_epi8(any)); m; m &= m - 1)
        if (!f(i + __builtin_ctz(m))) return false;
    }
  }
#endif
  for (; i < t.n; ++i) {
    const unsigned char c = fold ? (t.d[i] | 0x20) : t.d[i];
    if (std::find(bytes.begin(), bytes.end(), c) != bytes.end() && !f(i)) return false;
  }
  return true;
}

struct Starts {
  StartRule rule = StartRule::kNone;
  std::vector<std::string> words[128];  // kKeyword: lower-case ASCII key words by first byte
  bool first[256] = {false};       // kKeyword: bytes a match can start with
  std::vector<unsigned char> folded_first;  // kKeyword: those bytes ORed with 0x20
  std::vector<uint64_t> pairs;     // kKeyword: (lower(b0) << 8 | lower(b1)) that may start one

  void set_pair(unsigned a, unsigned b) {
    const size_t k = a << 8 | b;
    pairs[k >> 6] |= uint64_t{1} << (k & 63);
  }
  bool has_pair(unsigned char a, unsigned char b) const {
    const size_t k = static_cast<size_t>(lower(a)) << 8 | lower(b);
    return pairs[k >> 6] >> (k & 63) & 1;
  }

  // Key words in any case: RE2's (?i) also folds U+212A KELVIN SIGN to k and U+017F
  // LONG S to s (the only non-ASCII characters that fold to ASCII letters), so a
  // non-ASCII byte where a key word's letter would be counts as a possible start.
  void keywords(const std::vector<std::string>& list) {
    rule = StartRule::kKeyword;
    pairs.assign(65536 / 64, 0);
    for (const auto& raw : list) {
      std::string w;
      for (char c : raw) w.push_back(static_cast<char>(lower(static_cast<unsigned char>(c))));
      if (w.size() < 2 || static_cast<unsigned char>(w[0]) >= 0x80)
        throw std::invalid_argument("a start key word holds two ASCII bytes");
      const unsigned char w0 = static_cast<unsigned char>(w[0]), w1 = static_cast<unsigned char>(w[1]);
      first[w0] = first[static_cast<unsigned char>(w0 >= 'a' && w0 <= 'z' ? w0 - 32 : w0)] = true;
      set_pair(w0, w1);
      for (unsigned b = 0x80; b < 0x100; ++b) set_pair(w0, b);
      const unsigned lead = w0 == 'k' ? 0xE2 : w0 == 's' ? 0xC5 : 0;
      if (lead) {
        first[lead] = true;
        for (unsigned b = 0; b < 0x100; ++b) set_pair(lead, b);
      }
      words[w0 & 0x7F].push_back(std::move(w));
    }
    for (unsigned b = 0; b < 0x100; ++b) {
      const unsigned char f = static_cast<unsigned char>(b | 0x20);
      if (first[b] && std::find(folded_first.begin(), folded_first.end(), f) == folded_first.end())
        folded_first.push_back(f);
    }
  }

  bool keyword_at(const Text& t, Pos i) const {
    if (t.d[i] >= 0x80) return true;  // K or long s (the lead bytes `first` holds)
    for (const auto& w : words[lower(t.d[i])]) {
      const Pos m = static_cast<Pos>(w.size());
      Pos j = 1;
      for (; j < m && i + j < t.n; ++j) {
        const unsigned char c = t.d[i + j];
        if (c >= 0x80) return true;  // may fold to w[j]
        if (lower(c) != static_cast<unsigned char>(w[static_cast<size_t>(j)])) break;
      }
      if (j == m) return true;
    }
    return false;
  }

  // Every position a match may start at, ascending, into scope.starts; false (and the
  // list unfinished) when there are more than one per kStartsSparse bytes.
  bool find(const Text& t, Scope& scope) const {
    std::vector<Pos>& out = scope.starts;
    out.clear();
    const size_t most = static_cast<size_t>(t.n / kStartsSparse) + 1;
    auto add = [&](Pos i) {
      out.push_back(i);
      return out.size() <= most;
    };
    const unsigned char* d = t.d;
    switch (rule) {
      case StartRule::kKeyword:
        return each_byte_in(t, folded_first, true, [&](Pos i) {
          return !(i + 1 < t.n && first[d[i]] && has_pair(d[i], d[i + 1]) && keyword_at(t, i)) || add(i);
        });
      case StartRule::kDash:  // \B--? : a '-' after a non-word byte or at the start
        for (Pos i = t.find_byte('-', 0, t.n); i >= 0; i = t.find_byte('-', i + 1, t.n)) {
          if ((i == 0 || !is_word(d[i - 1])) && !add(i)) return false;
        }
        return true;
      case StartRule::kQuoted: {  // [\"'`][A-Za-z0-9_+/=-]{20,100}[\"'`]
        static const std::vector<unsigned char> quotes = {'"', '\'', '`'};
        return each_byte_in(t, quotes, false, [&](Pos i) {
          if (i + 21 > t.n) return true;
          for (Pos j = i + 1; j <= i + 20; ++j) {
            const unsigned char c = d[j];
            if (!(is_word(c) || c == '+' || c == '/' || c == '=' || c == '-')) return true;
          }
          return add(i);
        });
      }
      case StartRule::kDigitChain:  // \b[0-9](?:[ \-.]?[0-9]){11,18}\b: its first 12 digits
        return each_digit_run(scope.digit_runs(), [&](Pos i) {
          return !((i == 0 || !is_word(d[i - 1])) && digit_chain(t, i, 12)) || add(i);
        });
      case StartRule::kIbanAnyCase: {  // (?i)\b[a-z]{2}[ \-]?[0-9]{2}(?:[ \-]?[a-z0-9]){11,40}
        // The two digits start a run of digits; the two letters are 2 or 3 bytes before
        // it, or up to 7 where a non-ASCII byte may be U+212A or U+017F (k and s in any case).
        Pos last = -1;
        auto push = [&](Pos p) {
          if (p <= last) return true;
          last = p;
          return add(p);
        };
        return each_digit_run(scope.digit_runs(), [&](Pos r) {
          if (r + 1 >= t.n || !is_digit(d[r + 1])) return true;
          const Pos from = std::max<Pos>(0, r - 7);
          bool wide = false;
          for (Pos k = from; k < r; ++k) wide |= d[k] >= 0x80;
          if (wide) {
            for (Pos p = from; p <= r - 2; ++p)
              if (!push(p)) return false;
            return true;
          }
          for (Pos p = r - 3; p <= r - 2; ++p) {
            if (p < 0 || (p == r - 3 && d[r - 1] != ' ' && d[r - 1] != '-')) continue;
            if (!is_alpha(d[p]) || !is_alpha(d[p + 1]) || (p > 0 && is_word(d[p - 1]))) continue;
            if (alnum_chain(t, r + 2, 11) && !push(p)) return false;
          }
          return true;
        });
      }
      case StartRule::kPhoneInContext: {
        // \+[1-9]… | (?:\b1[ .-]?)?(?:\([2-9]…|\b[2-9][0-9]{2}[ .-])[2-9]… | (?:\b0[1-9]|\(0[1-9])…
        auto at = [&](Pos k) -> unsigned char { return k < t.n ? d[k] : 0; };
        auto nonzero = [](unsigned char c) { return c >= '1' && c <= '9'; };
        auto sep = [](unsigned char c) { return c == ' ' || c == '.' || c == '-'; };
        const bool sparse = each_digit_run(scope.digit_runs(), [&](Pos i) {
          if (i > 0 && is_word(d[i - 1])) return true;
          bool maybe;
          if (d[i] == '0') {
            maybe = nonzero(at(i + 1));
          } else if (d[i] == '1') {
            const unsigned char next = sep(at(i + 1)) ? at(i + 2) : at(i + 1);
            maybe = next == '(' || (next >= '2' && next <= '9');
          } else {
            maybe = is_digit(at(i + 1)) && is_digit(at(i + 2)) && sep(at(i + 3)) && at(i + 4) >= '2' &&
                    at(i + 4) <= '9';
          }
          return !maybe || add(i);
        });
        if (!sparse) return false;
        for (Pos i = t.find_byte('+', 0, t.n); i >= 0; i = t.find_byte('+', i + 1, t.n))
          if (nonzero(at(i + 1)) && !add(i)) return false;
        for (Pos i = t.find_byte('(', 0, t.n); i >= 0; i = t.find_byte('(', i + 1, t.n))
          if (is_digit(at(i + 1)) && !add(i)) return false;
        std::sort(out.begin(), out.end());
        return true;
      }
      case StartRule::kNone: break;
    }
    return false;
  }

  // f(i) at the first digit of each run of digits (Scope::digit_runs), in order, until
  // f returns false. Returns false when f did.
  template <typename F>
  static bool each_digit_run(const std::vector<Pos>& runs, F f) {
    for (const Pos i : runs)
      if (!f(i)) return false;
    return true;
  }

  // (?:[ \-]?[a-z0-9]){count} in any case at i: false only where it surely does not match
  // (a non-ASCII byte may be a letter that folds to k or s).
  static bool alnum_chain(const Text& t, Pos i, int count) {
    for (int seen = 0; seen < count; ++seen) {
      if (i < t.n && (t.d[i] == ' ' || t.d[i] == '-')) ++i;
      if (i >= t.n) return false;
      if (t.d[i] >= 0x80) return true;
      if (!is_alpha(t.d[i]) && !is_digit(t.d[i])) return false;
      ++i;
    }
    return true;
  }

  // [0-9](?:[ \-.]?[0-9]){count - 1} at i.
  static bool digit_chain(const Text& t, Pos i, int count) {
    Pos k = i + 1;
    for (int seen = 1; seen < count; ++seen) {
      if (k < t.n && (t.d[k] == ' ' || t.d[k] == '-' || t.d[k] == '.')) ++k;
      if (k >= t.n || !is_digit(t.d[k])) return false;
      ++k;
    }
    return true;
  }
};

StartRule start_rule_named(const std::string& name) {
  static const std::map<std::string, StartRule> names = {
      {"keyword", StartRule::kKeyword},
      {"dash", StartRule::kDash},
      {"quoted", StartRule::kQuoted},
      {"digit_chain", StartRule::kDigitChain},
      {"iban_any_case", StartRule::kIbanAnyCase},
      {"phone_in_context", StartRule::kPhoneInContext},
  };
  auto it = names.find(name);
  if (it == names.end()) throw std::invalid_argument("unknown start rule " + name);
  return it->second;
}

struct TokenBody {
  std::string prefix;
  Alphabet body;  // the bytes [alphabet]+ matches (ASCII classes; computed by RE2 in native.py)
  Pos min_body;
  Pos max_body;
  bool loose = false;  // tokens.ProviderTokenDetector.loose_prefixes
  Alphabet loose_body;  // tokens.loose_alphabet
};

// The token detector's prefix search, \b(?:p1|p2|...) with the literal prefixes in
// the pattern's order, without RE2: at the leftmost position after a non-word
// byte where some prefix occurs, the first prefix in that order that occurs
// there, exactly what RE2's leftmost-first alternation returns. Every prefix
// starts with a word byte (checked when built), so \b there means "the byte
// before is not a word byte". Candidates come from a table of first byte pairs.
class PrefixFinder {
 public:
  explicit PrefixFinder(const std::vector<TokenBody>& shapes) : pairs_(65536) {
    for (size_t i = 0; i < shapes.size(); ++i) {
      const std::string& p = shapes[i].prefix;
      if (p.size() < 2 || !is_word(static_cast<unsigned char>(p[0])))
        throw std::invalid_argument("a token prefix must start with a word byte and hold two");
      pairs_[key(p[0], p[1])].push_back(i);
      const size_t k = key(p[0], p[1]);
      any_[k >> 6] |= uint64_t{1} << (k & 63);
    }
  }

  // (index of the prefix, where it starts) of the leftmost match at or after pos.
  std::optional<std::pair<size_t, Pos>> find(const Text& t, const std::vector<TokenBody>& shapes,
                                             Pos pos) const {
    Pos i = pos;
#if defined(__SSE2__)
    // Word starts 16 bytes at a time: word bytes whose previous byte is not one.
    unsigned carry = pos > 0 && is_word(t.d[pos - 1]) ? 1u : 0u;
    for (; i + 16 < t.n; i += 16) {
      const unsigned words = word_mask16(t.d + i);
      unsigned starts = words & ~((words << 1) | carry);
      carry = words >> 15;
      while (starts) {
        const Pos at = i + __builtin_ctz(starts);
        starts &= starts - 1;
        if (auto hit = prefix_at(t, shapes, at)) return std::make_pair(*hit, at);
      }
    }
#endif
    bool word_before = i > 0 && is_word(t.d[i - 1]);
    for (; i + 1 < t.n; ++i) {
      const bool word = is_word(t.d[i]);
      if (word && !word_before) {
        if (auto hit = prefix_at(t, shapes, i)) return std::make_pair(*hit, i);
      }
      word_before = word;
    }
    return std::nullopt;
  }

 private:
  // The first prefix (in pattern order) that occurs at i.
  std::optional<size_t> prefix_at(const Text& t, const std::vector<TokenBody>& shapes, Pos i) const {
    if (i + 1 >= t.n) return std::nullopt;
    const size_t k = key(static_cast<char>(t.d[i]), static_cast<char>(t.d[i + 1]));
    if (!(any_[k >> 6] >> (k & 63) & 1)) return std::nullopt;  // 8 KiB, stays in cache
    for (size_t index : pairs_[k]) {
      const std::string& p = shapes[index].prefix;
      if (i + static_cast<Pos>(p.size()) <= t.n && std::memcmp(t.d + i, p.data(), p.size()) == 0)
        return index;
    }
    return std::nullopt;
  }

#if defined(__SSE2__)
  // One bit per byte of p[0..16): ASCII letter, digit or underscore.
  static unsigned word_mask16(const unsigned char* p) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i folded = _mm_or_si128(v, _mm_set1_epi8(0x20));  // A-Z -> a-z
    auto between = [](__m128i x, char lo, char hi) {  // signed: bytes >= 0x80 are never inside
      return _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(static_cast<char>(lo - 1))),
                           _mm_cmplt_epi8(x, _mm_set1_epi8(static_cast<char>(hi + 1))));
    };
    const __m128i word = _mm_or_si128(
        _mm_or_si128(between(folded, 'a', 'z'), between(v, '0', '9')),
        _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
    return static_cast<unsigned>(_mm_movemask_epi8(word));
  }
#endif

  static size_t key(char a, char b) {
    return static_cast<size_t>(static_cast<unsigned char>(a)) << 8 | static_cast<unsigned char>(b);
  }
  std::vector<std::vector<size_t>> pairs_;
  uint64_t any_[65536 / 64] = {};  // pairs_[k] is not empty
};

// ---------------------------------------------------------------- fieldnumbers.py gates

// A detector without a C++ port has its Python validator called back on each match.
// A gate runs first: a necessary condition of that validator, checked in C++, so that
// most matches never reach Python (issue 16: the callbacks were most of the scan's
// time). A gate rejects only where the validator surely returns None, accepts only
// where it has ported the whole validator, and otherwise asks the validator.
enum class Gate {
  kNone, kFieldPhone, kNationalId, kCardOther, kPhoneInContext,
  kIbanAnyCase,                       // spellings._iban_any_case, the whole validator
  kKeywordPassword, kKeywordSecret,  // keywords.py: the whole validator (kw:: below)
  kQuotedGenerated,                   // tokens._quoted_generated, the whole validator
  kTwoPartJwt,                        // credentials._two_part_jwt where the header is simple
  kHeader,                            // commands._header, the whole validator (kw:: below)
  kUuidLayout,                        // tokens._base36_in_uuid_layout's letter count (pinned)
  kIpv4Block, kIpv6Network,           // networks.py: the whole validators (pinned)
  kMailbox,                           // mailboxes._mailbox, whole on ASCII matches (pinned)
};
enum class Verdict { kReject, kAccept, kAsk };

Gate gate_named(const std::string& name) {
  static const std::unordered_map<std::string, Gate> names = {
      {"", Gate::kNone},
      {"field_phone", Gate::kFieldPhone},
      {"national_id", Gate::kNationalId},
      {"card_other", Gate::kCardOther},
      {"iban_any_case", Gate::kIbanAnyCase},
      {"phone_in_context", Gate::kPhoneInContext},
      {"keyword_password", Gate::kKeywordPassword},
      {"keyword_secret", Gate::kKeywordSecret},
      {"quoted_generated", Gate::kQuotedGenerated},
      {"two_part_jwt", Gate::kTwoPartJwt},
      {"header", Gate::kHeader},
      {"uuid_layout", Gate::kUuidLayout},
      {"ipv4_block", Gate::kIpv4Block},
      {"ipv6_network", Gate::kIpv6Network},
      {"mailbox", Gate::kMailbox},
  };
  auto it = names.find(name);
  if (it == names.end()) throw std::invalid_argument("unknown gate " + name);
  return it->second;
}

// The context word patterns of fieldnumbers.py are Python bytes patterns: RE2 reads
// them as Latin-1, one byte one character. Its (?i) also folds Latin-1 letters,
// which Python's bytes patterns do not: an RE2 match may be a Python non-match,
// never the other way round, and the gates use each pattern in the safe direction.
std::unique_ptr<RE2> compile_latin1(const std::string& pattern) {
  RE2::Options o = re2_options();
  o.set_encoding(RE2::Options::EncodingLatin1);
  auto re = std::make_unique<RE2>(pattern, o);
  if (!re->ok()) throw std::invalid_argument("RE2 cannot compile " + pattern + ": " + re->error());
  return re;
}

// re.search(pattern, data[max(0, end - width):end]) (the slice is the whole text).
bool found_before(const RE2& re, const Text& t, Pos end, Pos width) {
  const Pos a = std::max<Pos>(0, end - width);
  return RE2::PartialMatch(re2::StringPiece(reinterpret_cast<const char*>(t.d) + a,
                                            static_cast<size_t>(end - a)), re);
}

inline bool is_alnum(unsigned char b) { return is_digit(b) || is_alpha(b); }

// fieldnumbers.iban_group_before: "DE89 3704 …", "BG80 BNBG 9661 …"; not "PESEL 4405…".
bool iban_group_before(const Text& t, Pos start) {
  if (start < 5 || t.d[start - 1] != ' ') return false;
  bool upper = false, digit = false;
  for (Pos i = start - 5; i < start - 1; ++i) {  // the group: four upper-case letters, digits
    if (!is_alnum(t.d[i]) || is_lower(t.d[i])) return false;
    upper = upper || is_upper(t.d[i]);
    digit = digit || is_digit(t.d[i]);
  }
  if (!upper || (start > 5 && is_alnum(t.d[start - 6]))) return false;
  if (digit) return true;
  // letters only ("BNBG"): a group where it follows one that ends in a digit ("BG80 ")
  return start > 6 && t.d[start - 6] == ' ' && is_digit(t.d[start - 7]);
}

// fieldnumbers._glued, the part that looks before the span only.
bool field_glued_before(const Text& t, Pos start) {
  const unsigned char before = t.before(start);
  if (is_alnum(before) || before == '_' || before == '+') return true;
  if (in(before, ".-/:") && start > 1 && is_alnum(t.d[start - 2])) return true;
  return iban_group_before(t, start);
}

// fieldnumbers.ssn_shaped: three, two and four digits joined by '-', '.' or ' '.
bool ssn_shaped(std::string_view v) {
  if (v.size() != 11) return false;
  for (size_t i = 0; i < 11; ++i) {
    const unsigned char c = static_cast<unsigned char>(v[i]);
    if ((i == 3 || i == 6) ? !in(c, "-. ") : !is_digit(c)) return false;
  }
  return true;
}

// fieldnumbers._glued.
bool field_glued(const Text& t, Pos start, Pos end) {
  const unsigned char after = t.at(end);
  if (is_alnum(after) || after == '_') return true;
  if (in(after, ".-/:") && end + 1 < t.n && is_alnum(t.d[end + 1])) return true;
  return field_glued_before(t, start);
}

// fieldnumbers._word_opens: a letter glued to the number's opening ':', '+' or '('.
bool word_opens(const Text& t, Pos start) {
  unsigned char word;
  if (start > 1 && t.d[start - 1] == ':')
    word = t.d[start - 2];
  else if (start > 0 && in(t.d[start], "+("))
    word = t.d[start - 1];
  else
    return false;
  return is_alpha(word);
}

// fieldnumbers._continues: _glued's end.
bool continues(const Text& t, Pos end) {
  const unsigned char after = t.at(end);
  if (is_alnum(after) || after == '_') return true;
  return in(after, ".-/:") && end + 1 < t.n && is_alnum(t.d[end + 1]);
}

// fieldnumbers._operand on a main of digits and " .-/()+": after '*', a '+' after a
// number's ')', or a negative number.
bool phone_operand(const Text& t, Pos start, std::string_view main) {
  const unsigned char before = t.before(start);
  const unsigned char two = start > 1 ? t.d[start - 2] : 0x20;
  if (before == '*') return is_alnum(two) || two == ')';
  if (before == ')' && t.d[start] == '+') return is_digit(two);
  if (before != '-' || !in(two, " \t\n([{=,:")) return false;
  for (unsigned char c : main)
    if (!is_digit(c)) return false;
  return true;
}

// fieldnumbers._dash_extension may read [start, end) as a number and its extension: it
// starts with '+' and, its end trimmed as _one_phone trims it, ends in '-' and 1-5 digits.
bool dash_extension_tail(const Text& t, Pos start, Pos end) {
  while (end > start && in(t.d[end - 1], " .-/(")) --end;
  if (end == start || t.d[start] != '+') return false;
  Pos i = end;
  while (i > start && is_digit(t.d[i - 1])) --i;
  return end - i >= 1 && end - i <= 5 && i > start && t.d[i - 1] == '-';
}

// fieldnumbers._phone_said(before) is certainly False: every phone word in ``before``
// (re.finditer, leftmost first) is a "number" word and an identifier is named, or
// there is none. ``before`` must be ASCII (Python's bytes patterns fold case in ASCII
// only, RE2's Latin-1 ones beyond it). [phone words, number word, id named].
bool phone_not_said(std::string_view before, const RE2& words, const RE2& number,
                    const RE2& id_named) {
  re2::StringPiece text(before.data(), before.size());
  re2::StringPiece m;
  bool generic = false;
  for (size_t pos = 0; pos < text.size();) {
    if (!words.Match(text, pos, text.size(), RE2::UNANCHORED, &m, 1)) break;
    if (!RE2::FullMatch(m, number)) return false;
    generic = true;
    pos = static_cast<size_t>(m.data() - text.data()) + std::max<size_t>(m.size(), 1);
  }
  return !generic || RE2::PartialMatch(text, id_named);
}

// fieldnumbers._phone_named(before): a phone word in ``before`` that is not a "number" word
// (ASCII ``before``, as phone_not_said). [phone words, number word].
bool phone_named(std::string_view before, const RE2& words, const RE2& number) {
  re2::StringPiece text(before.data(), before.size());
  re2::StringPiece m;
  for (size_t pos = 0; pos < text.size();) {
    if (!words.Match(text, pos, text.size(), RE2::UNANCHORED, &m, 1)) break;
    if (!RE2::FullMatch(m, number)) return true;
    pos = static_cast<size_t>(m.data() - text.data()) + std::max<size_t>(m.size(), 1);
  }
  return false;
}

bool all_digits(std::string_view m, size_t a, size_t b) {
  for (size_t i = a; i < b; ++i)
    if (!is_digit(static_cast<unsigned char>(m[i]))) return false;
  return true;
}

// notphones._FOURS.fullmatch(m): blocks of four digits joined by one of " .-", two or more,
// then one of " .-" and one or two digits ("1234 5678 90").
bool printed_in_fours(std::string_view m) {
  auto digits = [&](size_t a, size_t b) { return all_digits(m, a, b); };
  size_t i = 0, fours = 0;
  while (i + 5 <= m.size() && digits(i, i + 4) && in(static_cast<unsigned char>(m[i + 4]), " .-")) {
    ++fours;
    i += 5;
  }
  return fours >= 2 && m.size() - i >= 1 && m.size() - i <= 2 && digits(i, m.size());
}

// notphones._no_plan_groups(main): _ZIP_SHAPED.fullmatch(main) (five digits led by 1-9, '-',
// three; led by 1-8, four; led by 1-5, five), printed_in_fours(main), or
// _SIX_TWO_FOUR.fullmatch(main) (six digits, '-', two, '-', four: a MyKad's layout).
bool no_plan_groups(std::string_view m) {
  if (m.size() == 14 && m[6] == '-' && m[9] == '-' && all_digits(m, 0, 6) &&
      all_digits(m, 7, 9) && all_digits(m, 10, 14))
    return true;
  if (m.size() >= 9 && m.size() <= 11 && m[5] == '-' && all_digits(m, 0, 5) &&
      all_digits(m, 6, m.size())) {
    const char lead = m[0], top = m.size() == 9 ? '9' : m.size() == 10 ? '8' : '5';
    if (lead >= '1' && lead <= top) return true;
  }
  return printed_in_fours(m);
}

// Issue 16 (speed): a part of fieldnumbers._one_phone that rejects without Python, for
// one prefix [start, end) that _phone tries (digits and " .-/()+" only, no extension),
// when the text says no phone word (``said`` false) and no country code can lead it.
// Every check here is one of _one_phone's returns of None, on the same ``main``; the
// ones that need phonenumbers or stdnum are left to Python (false: ask).
bool one_phone_refused(const Text& t, Pos start, Pos end, bool said_false, const RE2& date_like,
                       const RE2& ipv4_inside, const RE2& id_named) {
  while (end > start && in(t.d[end - 1], " .-/(")) --end;
  if (end == start) return true;
  if (field_glued(t, start, end) && !(!said_false && word_opens(t, start) && !continues(t, end)))
    return true;
  const std::string_view main = t.view(start, end);
  const Pos digits = count_digits(main);
  if (digits < 7 || digits > 17) return true;
  std::string_view bare = main;  // main.strip(b"()")
  while (!bare.empty() && in(static_cast<unsigned char>(bare.front()), "()")) bare.remove_prefix(1);
  while (!bare.empty() && in(static_cast<unsigned char>(bare.back()), "()")) bare.remove_suffix(1);
  if (RE2::FullMatch(re2::StringPiece(bare.data(), bare.size()), date_like)) return true;
  const re2::StringPiece piece(main.data(), main.size());
  if (RE2::PartialMatch(piece, ipv4_inside)) return true;
  // groups of digits, and whether the text is dotted only
  std::vector<std::string_view> groups;
  bool dot = false, other_separator = false;
  for (size_t i = 0; i < main.size();) {
    const unsigned char c = static_cast<unsigned char>(main[i]);
    if (!is_digit(c)) {
      dot |= c == '.';
      other_separator |= in(c, " -/()");
      ++i;
      continue;
    }
    size_t j = i;
    while (j < main.size() && is_digit(static_cast<unsigned char>(main[j]))) ++j;
    groups.push_back(main.substr(i, j - i));
    i = j;
  }
  if (dot && !other_separator) {
    bool short_groups = true;
    for (const auto& g : groups) short_groups &= g.size() <= 3;
    if (groups.size() < 3 || short_groups) return true;
  }
  if (!said_false) return false;
  // a country code may lead: "+…", "00…", "011…" (_calling_code_group, the + and 00 paths)
  if (main.find('+') != std::string_view::npos || groups.empty() || groups[0].substr(0, 2) == "00" ||
      groups[0].substr(0, 3) == "011")
    return false;
  if (ssn_shaped(main)) return true;
  for (size_t k = 1; k < groups.size(); ++k)
    if (groups[k].size() < 2) return true;
  if (other_separator || dot) return false;  // grouped: phonenumbers decides
  // a bare digit run without a phone word: only a bare mobile (_bare_number) may pass
  if (digits > 11 || digits < 10 || main[0] == '0') return true;
  if (digits == 10 && main >= "1000000000" && main < "2200000000") return true;
  const Pos a = std::max<Pos>(0, start - 48);
  std::string_view before = t.view(a, start);
  size_t cut = 0;
  for (size_t i = 0; i < before.size(); ++i)
    if (in(static_cast<unsigned char>(before[i]), ",;|\n")) cut = i + 1;
  before.remove_prefix(cut);
  return RE2::PartialMatch(re2::StringPiece(before.data(), before.size()), id_named);
}

// The library calls of fieldnumbers._one_phone, made back into Python by the phone port
// below (phonenumbers and stdnum decide), and the calling codes phonenumbers knows
// (native._tables: fieldnumbers' own functions and phonenumbers.COUNTRY_CODE_TO_REGION_CODE).
// f(s.decode("ascii")), a library call made back into Python.
bool py_ask(const py::object& f, std::string_view s) {
  return f(py::str(s.data(), s.size())).cast<bool>();
}

struct PhoneLibrary {
  py::object validator;  // the function ported (fieldnumbers._phone): only it is replaced
  py::object valid_internationally, possible_internationally, valid_nationally, other_number;
  std::vector<bool> calling_codes = std::vector<bool>(1000, false);
  bool ask(const py::object& f, std::string_view s) const { return py_ask(f, s); }
  // fieldnumbers._country_code
  bool country_code(std::string_view g) const {
    return !g.empty() && g.size() <= 3 && calling_codes[static_cast<size_t>(leading_int(g, 3))];
  }
};

// re.search(pattern, s) for a pattern whose only anchor is a final "$": Python's "$" also
// matches before a final "\n", RE2's only at the end.
bool py_search_to_end(const RE2& re, std::string_view s) {
  if (RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), re)) return true;
  return !s.empty() && s.back() == '\n' &&
         RE2::PartialMatch(re2::StringPiece(s.data(), s.size() - 1), re);
}

// fieldnumbers._SSN_INSIDE.search(main) finds something other than all of main:
// (?<![0-9])[0-9]{3}([- ])[0-9]{2}\1[0-9]{4}(?![0-9]) (11 bytes, so only a match at 0 of
// an 11-byte main is all of it).
bool ssn_inside_part(std::string_view m) {
  auto digits = [&](size_t a, size_t b) {
    for (size_t i = a; i < b; ++i)
      if (!is_digit(static_cast<unsigned char>(m[i]))) return false;
    return true;
  };
  for (size_t i = 0; i + 11 <= m.size(); ++i) {
    if (i > 0 && is_digit(static_cast<unsigned char>(m[i - 1]))) continue;
    const char sep = m[i + 3];
    if ((sep == '-' || sep == ' ') && m[i + 6] == sep && digits(i, i + 3) && digits(i + 4, i + 6) &&
        digits(i + 7, i + 11) && (i + 11 == m.size() || !is_digit(static_cast<unsigned char>(m[i + 11]))))
      return m.size() != 11;  // the leftmost match; at 0 when main is 11 bytes
  }
  return false;
}

enum class Phone { kNo, kYes, kAsk };

// [g for g in re.split(rb"[^0-9]+", s) if g]
std::vector<std::string_view> digit_groups(std::string_view s) {
  std::vector<std::string_view> groups;
  for (size_t i = 0; i < s.size();) {
    size_t j = i;
    while (j < s.size() && is_digit(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) groups.push_back(s.substr(i, j - i));
    i = j > i ? j : i + 1;
  }
  return groups;
}

// fieldnumbers._bare_number(digits, data[max(0, start - 48):start]) for an ASCII context.
bool bare_number(const Text& t, Pos start, std::string_view digits, const RE2& id_named) {
  if ((digits.size() != 10 && digits.size() != 11) || digits[0] == '0') return false;
  if (digits.size() == 10 && digits >= "1000000000" && digits < "2200000000") return false;
  std::string_view before = t.view(std::max<Pos>(0, start - 48), start);
  const size_t cut = before.find_last_of(",;|\n");  // _clause
  if (cut != before.npos) before.remove_prefix(cut + 1);
  return !RE2::PartialMatch(re2::StringPiece(before.data(), before.size()), id_named);
}

// fieldnumbers._timestamp(digits): 14 digits that are YYYYMMDDhhmmss (1970-2099) or 13
// that are Unix time in milliseconds (2001-2039).
bool phone_timestamp(std::string_view digits) {
  if (digits.size() == 13) return digits >= "1000000000000" && digits < "2200000000000";
  if (digits.size() != 14) return false;
  auto two = [&](size_t i) { return (digits[i] - '0') * 10 + (digits[i + 1] - '0'); };
  const int year = two(0) * 100 + two(2);
  if (year < 1970 || year > 2099) return false;
  return two(4) >= 1 && two(4) <= 12 && two(6) >= 1 && two(6) <= 31 && two(8) < 24 && two(10) < 60 &&
         two(12) < 60;
}

// fieldnumbers._one_phone on [start, end), whole but for the library calls, for a span of
// digits and " .-/()+" (no extension) with ``said`` known; kYes sets end. The words are
// the field_phone gate's [not-phone, phone, number, id named, date-like, ipv4 inside,
// number sign, currency before, thousands, ISBN written].
Phone one_phone(const Text& t, Pos start, Pos& end, bool said,
                const std::vector<std::unique_ptr<RE2>>& w, const PhoneLibrary& lib) {
  while (end > start && in(t.d[end - 1], " .-/(")) --end;
  if (end == start) return Phone::kNo;
  if (field_glued(t, start, end) && !(said && word_opens(t, start) && !continues(t, end)))
    return Phone::kNo;
  const std::string_view main = t.view(start, end);
  std::string digits;
  for (unsigned char c : main)
    if (is_digit(c)) digits.push_back(static_cast<char>(c));
  if (digits.size() < 7 || digits.size() > 17) return Phone::kNo;
  // 000-00-00-00: zeros only are a placeholder, no number of any plan
  if (digits.find_first_not_of('0') == std::string::npos) return Phone::kNo;
  if (py_search_to_end(*w.at(0), t.view(std::max<Pos>(0, start - 24), start))) return Phone::kNo;
  std::string_view bare = main;  // main.strip(b"()")
  while (!bare.empty() && in(static_cast<unsigned char>(bare.front()), "()")) bare.remove_prefix(1);
  while (!bare.empty() && in(static_cast<unsigned char>(bare.back()), "()")) bare.remove_suffix(1);
  if (RE2::FullMatch(re2::StringPiece(bare.data(), bare.size()), *w.at(4))) return Phone::kNo;
  if (!said && ssn_shaped(main)) return Phone::kNo;
  // "No. 1234567"; an amount: a currency sign or code, then thousands ("R 6 954 231")
  const std::string_view before = t.view(std::max<Pos>(0, start - 48), start);
  if (phone_operand(t, start, main) ||
      (!said && (py_search_to_end(*w.at(6), before) ||
                 (py_search_to_end(*w.at(7), before) &&
                  RE2::FullMatch(re2::StringPiece(main.data(), main.size()), *w.at(8))))))
    return Phone::kNo;
  const std::vector<std::string_view> groups = digit_groups(main);
  const size_t lead = main.find_first_not_of("( ");
  const bool plus = lead != main.npos && main[lead] == '+';
  const std::string_view first = groups.empty() ? std::string_view() : groups[0];
  const bool international =
      groups.size() > 1 &&
      (plus ? lib.country_code(first)
            : (first.substr(0, 2) == "00" && lib.country_code(first.substr(2))) ||
                  (first.substr(0, 3) == "011" && lib.country_code(first.substr(3))));
  if (!(said || international))
    for (size_t k = 1; k < groups.size(); ++k)
      if (groups[k].size() < 2) return Phone::kNo;
  if (!(said || international) && no_plan_groups(main)) return Phone::kNo;  // ZIP+4, fours
  if (ssn_inside_part(main)) return Phone::kNo;
  if (RE2::PartialMatch(re2::StringPiece(main.data(), main.size()), *w.at(5))) return Phone::kNo;
  if (main.find('.') != main.npos && main.find_first_of(" -/()") == main.npos) {
    bool short_groups = true;
    size_t one_digit = 0;
    for (const auto& g : groups) {
      short_groups &= g.size() <= 3;
      one_digit += g.size() == 1;
    }
    if (groups.size() < 3 || short_groups || one_digit > 1) return Phone::kNo;
  }
  if (main.size() == digits.size() && phone_timestamp(digits)) return Phone::kNo;
  // _other_number counts 10 or 13 digits (no trailing X here) or takes NNNN-NNNN; after a
  // phone word a number valid in some numbering plan is a phone number all the same
  if ((digits.size() == 10 || digits.size() == 13 || (main.size() == 9 && main[4] == '-')) &&
      lib.ask(lib.other_number, main) &&
      !(said && (lib.ask(lib.valid_nationally, digits) ||
                 lib.ask(lib.valid_internationally, digits))))
    return Phone::kNo;
  if (plus) {
    return lib.ask(lib.valid_internationally, digits) ||
                   ((said || international) && lib.ask(lib.possible_internationally, digits))
               ? Phone::kYes
               : Phone::kNo;
  }
  for (std::string_view prefix : {"00", "011"}) {
    if (std::string_view(digits).substr(0, prefix.size()) != prefix) continue;
    const std::string_view rest = std::string_view(digits).substr(prefix.size());
    if (lib.ask(lib.valid_internationally, rest) ||
        (international && lib.ask(lib.possible_internationally, rest)))
      return Phone::kYes;
  }
  // after "number" alone, a bare run of 12+ digits with no trunk 0: a phone number only
  // as a possible E.164 number's digits (phoneplans._possible_as_e164): Python decides
  if (said && digits.size() > 11 && main.size() == digits.size() && digits[0] != '0' &&
      !phone_named(before, *w.at(1), *w.at(2)))
    return Phone::kAsk;
  if (said && digits.size() <= 15) return Phone::kYes;
  if (main.find_first_of(" .-/()") == main.npos) {  // not grouped: a bare run
    if (digits.size() > 11 || !(said || bare_number(t, start, digits, *w.at(3)))) return Phone::kNo;
  }
  return lib.ask(lib.valid_nationally, digits) ? Phone::kYes : Phone::kNo;
}

// fieldnumbers._phone, whole but for the library calls, where the match holds only digits
// and " .-/()+" and the 48 bytes before it are ASCII (so _phone_said is phone_not_said's
// negation); kAsk otherwise. kYes sets end.
Phone field_phone(const Text& t, Pos start, Pos& end, const std::vector<std::unique_ptr<RE2>>& w,
                  const PhoneLibrary& lib) {
  for (Pos i = start; i < end; ++i)
    if (!is_digit(t.d[i]) && !in(t.d[i], " .-/()+")) return Phone::kAsk;
  const Pos a = std::max<Pos>(0, start - 48);
  for (Pos i = a; i < start; ++i)
    if (t.d[i] >= 0x80) return Phone::kAsk;
  const bool said = !phone_not_said(t.view(a, start), *w.at(1), *w.at(2), *w.at(3));
  // an ISBN as ISO 2108 prints it ("3 8362 2119 5", "3 401 01319 X"), whatever the text says
  const bool checked =
      end + 1 < t.n && in(t.d[end], " -") && t.d[end + 1] == 'X' && !continues(t, end + 2);
  const std::string_view run = t.view(start, checked ? end + 2 : end);
  if (RE2::FullMatch(re2::StringPiece(run.data(), run.size()), *w.at(9)) &&
      lib.ask(lib.other_number, run))
    return Phone::kNo;
  Pos e = end;
  Phone found = one_phone(t, start, e, said, w, lib);
  if (found != Phone::kNo) {
    if (found == Phone::kYes) end = e;
    return found;
  }
  if (dash_extension_tail(t, start, end)) return Phone::kAsk;  // _dash_extension: Python reads it
  // "1234 5678 90": one number printed in fours, no prefix of it is a phone number
  if (!said && printed_in_fours(t.view(start, end))) return Phone::kNo;
  Pos cut = end;
  for (int k = 0; k < 8; ++k) {
    Pos space = -1;  // data.rfind(b" ", start, cut)
    for (Pos i = cut - 1; i >= start; --i)
      if (t.d[i] == ' ') {
        space = i;
        break;
      }
    if (space <= start) return Phone::kNo;
    cut = space;
    e = cut;
    found = one_phone(t, start, e, said, w, lib);
    if (found != Phone::kNo) {
      if (found == Phone::kYes) end = e;
      return found;
    }
  }
  return Phone::kNo;
}

// The library calls of nationalids._national_id (stdnum), made back into Python:
// (nationalids._national_id, fieldnumbers._other_number, nationalids._valid_national_id).
struct IdLibrary {
  py::object validator, other_number, valid_national_id;  // validator: the function ported
};

// nationalids._national_id after the national_id gate's refusals (glue, no letter and no
// ID word in the value's field), whole but for its library calls, where the match and
// the 48 bytes before it are ASCII (RE2 reads the gate's words as Python does there);
// kAsk elsewhere. ``named``: the gate's ID word in the value's field.
Verdict national_id(const Text& t, Pos start, Pos end, bool named, const RE2& not_phone,
                    const IdLibrary& lib) {
  const Pos a = std::max<Pos>(0, start - 48);
  for (Pos i = a; i < end; ++i)
    if (t.d[i] >= 0x80) return Verdict::kAsk;
  const std::string_view raw = t.view(start, end);
  // _other_number: only 10 or 13 digits (a final X counting as one) or NNNN-NNNN can be one
  const Pos digits = count_digits(raw) + (raw.back() == 'X' || raw.back() == 'x');
  if ((digits == 10 || digits == 13 || (raw.size() == 9 && raw[4] == '-')) &&
      py_ask(lib.other_number, raw))
    return Verdict::kAsk;  // a book or product number unless words name a person's: Python
  if (!named && py_search_to_end(not_phone, t.view(a, start))) return Verdict::kReject;
  return py_ask(lib.valid_national_id, raw) ? Verdict::kAccept : Verdict::kReject;
}

// fieldnumbers._phone on a match: true when every prefix it tries is refused above.
bool field_phone_refused(const Text& t, Pos start, Pos end, const std::vector<std::unique_ptr<RE2>>& w) {
  for (Pos i = start; i < end; ++i)
    if (!is_digit(t.d[i]) && !in(t.d[i], " .-/()+")) return false;  // an extension: ask
  if (dash_extension_tail(t, start, end)) return false;
  const Pos a = std::max<Pos>(0, start - 48);
  bool ascii = true;
  for (Pos i = a; i < start; ++i) ascii &= t.d[i] < 0x80;
  const bool said_false = ascii && phone_not_said(t.view(a, start), *w.at(1), *w.at(2), *w.at(3));
  if (!one_phone_refused(t, start, end, said_false, *w.at(4), *w.at(5), *w.at(3))) return false;
  Pos cut = end;
  for (int k = 0; k < 8; ++k) {  // data.rfind(b" ", start, cut)
    Pos space = -1;
    for (Pos i = cut - 1; i >= start; --i)
      if (t.d[i] == ' ') {
        space = i;
        break;
      }
    if (space <= start) return true;
    cut = space;
    if (!one_phone_refused(t, start, cut, said_false, *w.at(4), *w.at(5), *w.at(3))) return false;
  }
  return true;
}

// fieldnumbers._card_other, all of it.
// tokens._quoted_generated on a match of ["'`][A-Za-z0-9_+/=-]{20,100}["'`], whole:
// the literal between matching quotes when it holds upper- and lower-case letters,
// 3+ digits, a letter beyond hex, no "." and at most two "/", does not start like
// a subresource-integrity hash, and has 4.0+ bits of entropy per character.
// native.GATE_PINS pins the Python function's source: if it changes, this gate is
// not used (the Python validator is called back) until it is ported again.
bool quoted_generated(const Text& t, Pos& start, Pos& end) {
  if (end - start < 2 || t.d[end - 1] != t.d[start]) return false;
  const std::string_view value = t.view(start + 1, end - 1);
  bool upper = false, lower = false, beyond_hex = false;
  int digits = 0, slashes = 0;
  for (unsigned char c : value) {
    if (c == '.') return false;
    slashes += c == '/';
    digits += is_digit(c);
    upper |= is_upper(c);
    lower |= is_lower(c);
    beyond_hex |= is_alpha(c) && lower_byte_beyond_f(c);
  }
  if (slashes > 2 || !upper || !lower || digits < 3 || !beyond_hex) return false;
  for (std::string_view sri : {"sha256-", "sha384-", "sha512-"}) {
    if (value.substr(0, sri.size()) == sri) return false;
  }
  if (!entropy_at_least(value, 4.0)) return false;
  ++start;
  --end;
  return true;
}

// ---------------------------------------------------------------- networks.py gates

// networks._ipv4_block and networks._ipv6_network, whole (issue 16, speed: ~340 call-backs
// per pass over the labelled corpus). Pinned in native.GATE_PINS with their helpers
// _free and _whole_value (native.GATE_HELPER_PINS).

// networks._free: no word, colon or dot before; no word, colon, slash or .digit after.
bool network_free(const Text& t, Pos start, Pos end) {
  const unsigned char before = t.before(start), after = t.at(end);
  if (is_word(before) || in(before, ":./") || is_word(after) || in(after, ":/")) return false;
  return !(after == '.' && is_digit(t.at(end + 1)));
}

// int(digits) for the 1-3 digits of a prefix length, or -1 for anything else.
int prefix_length(std::string_view digits) {
  if (digits.empty() || digits.size() > 3) return -1;
  for (unsigned char c : digits)
    if (!is_digit(c)) return -1;
  return leading_int(digits, 3);
}

// mailboxes._mailbox (pinned with its helpers): whole where the match is ASCII (its
// Unicode rules, str.isalnum and category M, then read ASCII letters and digits); elsewhere
// the rules that need no Unicode tables reject (the last "@" after the match's first byte,
// _domain_ok's labels, file extensions and "xn--", _in_userinfo) and Python decides the rest.
Verdict mailbox_domain(const Text& t, const Tables& tables, Pos at, Pos end) {  // _domain_ok
  auto labels = split(t.view(at + 1, end), '.');
  for (auto x : labels)
    if (x.empty() || x.size() > 63 || x.front() == '-' || x.back() == '-') return Verdict::kReject;
  if (labels[labels.size() - 2].find('_') != std::string_view::npos) return Verdict::kReject;  // registered name
  std::string top(labels.back());
  for (auto& c : top) c = static_cast<char>(lower(static_cast<unsigned char>(c)));
  if (tables.file_extensions.count(top)) return Verdict::kReject;
  if (top.compare(0, 4, "xn--") == 0) return top.size() > 5 ? Verdict::kAccept : Verdict::kReject;
  bool ascii = true, letters = true;
  for (unsigned char c : top) {
    ascii = ascii && c < 0x80;
    letters = letters && is_alpha(c);
  }
  if (!ascii) return Verdict::kAsk;
  return top.size() >= 2 && letters ? Verdict::kAccept : Verdict::kReject;
}

// The last position in local[lo, hi) of a byte of `set` (max of str.rfind over it), or -1.
Pos mailbox_rfind(std::string_view local, std::string_view set, Pos lo, Pos hi) {
  for (Pos k = hi - 1; k >= std::max<Pos>(lo, 0); --k)
    if (in(static_cast<unsigned char>(local[static_cast<size_t>(k)]), set)) return k;
  return -1;
}

// _closing_run: the ASCII punctuation (at most 8 bytes) right after the address.
std::string mailbox_closing(const Text& t, Pos end) {
  std::string run;
  for (Pos i = end; i < std::min<Pos>(end + 8, t.n); ++i) {
    const unsigned char c = t.d[i];
    const bool space = c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);  // str.isspace
    if (c >= 0x80 || is_alpha(c) || is_digit(c) || space) break;
    run.push_back(static_cast<char>(c));
  }
  return run;
}

// _local_start on an ASCII local part: how many bytes before the name are not the address.
Pos mailbox_cut(const Text& t, Pos start, std::string_view local, Pos end) {
  static const std::set<std::string, std::less<>> kFields = {
      "email", "e-mail", "mail", "to", "from", "cc", "bcc", "reply-to", "user", "username",
      "login", "address", "contact", "recipient", "sender"};  // _ADDRESS_FIELDS
  const Pos n = static_cast<Pos>(local.size());
  auto name = [&](Pos k) {
    const auto c = static_cast<unsigned char>(local[static_cast<size_t>(k)]);
    return is_alpha(c) || is_digit(c);
  };
  Pos cut = 0;
  if (start >= 1 && t.d[start - 1] == ':' && local.substr(0, 2) == "//")
    cut = mailbox_rfind(local, "/?&=#", 0, n) + 1;  // in a URL
  const Pos eq = mailbox_rfind(local, "=", 0, n);
  if (eq > cut) {
    const Pos from = std::max(cut, mailbox_rfind(local, "/?&#;", cut, eq) + 1);
    std::string key(local.substr(static_cast<size_t>(from), static_cast<size_t>(eq - from)));
    key.erase(0, std::min(key.find_first_not_of('-'), key.size()));  // lstrip("-")
    for (auto& c : key) c = static_cast<char>(lower(static_cast<unsigned char>(c)));
    if (kFields.count(key)) cut = eq + 1;
  }
  auto kept = [&](Pos k) { return in(static_cast<unsigned char>(local[static_cast<size_t>(k)]), "_%+-"); };
  std::optional<std::string> closing;  // _closing_run, read where a symbol needs it
  while (cut < n && !name(cut) && !kept(cut)) {  // _KEPT_LEADING
    bool later = false;
    for (Pos k = cut + 1; k < n && !later; ++k) later = name(k);
    if (!later) break;
    const char c = local[static_cast<size_t>(cut)];
    if (c == '{' && local.find('}', static_cast<size_t>(cut) + 1) != std::string_view::npos)
      break;  // {ops}@: a brace the local part closes itself is the address's
    const bool opener = c == '\'' || c == '`' || c == '/' || c == '{';  // _OPENERS
    if (!opener) {
      if (!closing) closing = mailbox_closing(t, end);
      if (closing->find(c) == std::string::npos) break;
    }
    ++cut;
  }
  return cut;
}

Verdict mailbox(const Text& t, const Tables& tables, Pos& start, Pos end) {
  Pos at = end - 1;
  while (at >= start && t.d[at] != '@') --at;
  if (at <= start) return Verdict::kReject;
  const Verdict domain = mailbox_domain(t, tables, at, end);
  if (domain == Verdict::kReject) return Verdict::kReject;
  for (Pos k = start - 3; k >= std::max<Pos>(0, start - 300); --k) {  // bytes.rfind(b"://")
    if (t.d[k] != ':' || t.d[k + 1] != '/' || t.d[k + 2] != '/') continue;
    bool userinfo = true;
    for (Pos i = k + 3; i < at && userinfo; ++i) userinfo = !in(t.d[i], " \t\r\n/");
    if (userinfo) return Verdict::kReject;
    break;
  }
  if (domain == Verdict::kAsk) return Verdict::kAsk;
  if (t.d[start] == '"') return start >= 1 && t.d[start - 1] == '\\' ? Verdict::kReject : Verdict::kAccept;
  for (Pos i = start; i < at; ++i)
    if (t.d[i] >= 0x80) return Verdict::kAsk;
  const std::string_view local = t.view(start, at);
  const Pos cut = mailbox_cut(t, start, local, end);
  Pos name = start + cut;
  while (name < at && t.d[name] == '.') ++name;
  if (name >= at || t.d[at - 1] == '.') return Verdict::kReject;
  bool letters = false, seen[128] = {false};
  int distinct = 0;
  for (Pos i = start + cut; i < at; ++i) {  // _symbols_only(local[cut:])
    letters = letters || is_alpha(t.d[i]) || is_digit(t.d[i]);
    distinct += !seen[t.d[i]];
    seen[t.d[i]] = true;
  }
  if (!letters && distinct < 3) return Verdict::kReject;
  start = name;
  return Verdict::kAccept;
}

// networks._ipv4_block on a match of \b(?:[0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,3}\b.
Verdict ipv4_block(const Text& t, Pos start, Pos end) {
  if (!network_free(t, start, end)) return Verdict::kReject;
  const std::string_view value = t.view(start, end);
  const size_t slash = value.find('/');
  const int prefix = slash == value.npos ? -1 : prefix_length(value.substr(slash + 1));
  if (prefix < 0) return Verdict::kAsk;  // not the pattern's shape
  if (!py_ipv4_address(value.substr(0, slash))) return Verdict::kReject;
  std::string context(t.view(std::max<Pos>(0, start - 10), start));
  for (auto& c : context) c = static_cast<char>(lower(static_cast<unsigned char>(c)));
  const std::string_view ctx(context);
  for (std::string_view tail : {"v", "==", ">=", "<=", "~="})
    if (ctx.size() >= tail.size() && ctx.substr(ctx.size() - tail.size()) == tail) return Verdict::kReject;
  if (ctx.find("version") != ctx.npos) return Verdict::kReject;
  return prefix <= 32 ? Verdict::kAccept : Verdict::kReject;
}

// networks._whole_value: '::', (::), "ref: ::" at a line's end.
bool whole_value(const Text& t, Pos start, Pos end) {
  const unsigned char before = t.before(start), after = t.at(end);
  if (end < t.n && !in(after, "'\"`)]}>,;\r\n\t")) return false;
  if (start == 0 || in(before, "'\"`([{<=\n\t")) return true;
  return before == ' ' && t.before(start - 1) == ':';
}

// networks._ipv6_network on a match of its pattern (ASCII hex, ':', '.', a zone, a prefix).
Verdict ipv6_network(const Text& t, Pos start, Pos end) {
  if (!network_free(t, start, end)) return Verdict::kReject;
  std::string_view value = t.view(start, end);
  for (unsigned char c : value)
    if (c >= 0x80) return Verdict::kAsk;  // never in its matches (address.decode("ascii"))
  const size_t slash = value.find('/');
  const bool has_slash = slash != value.npos;
  const std::string_view prefix = has_slash ? value.substr(slash + 1) : std::string_view();
  value = value.substr(0, slash);
  const size_t percent = value.find('%');
  const std::string_view address = value.substr(0, percent);
  if (!py_ipv6_address(address)) return Verdict::kReject;
  if (has_slash) {
    const int length = prefix_length(prefix);
    if (length < 0) return Verdict::kAsk;  // not the pattern's shape
    if (length > 128) return Verdict::kReject;
  }
  if (has_slash || percent != value.npos || address.find('.') != address.npos) return Verdict::kAccept;
  if (t.before(start) == '[' &&
      (is_word(t.before(start - 1)) || (start >= 2 && in(t.d[start - 2], ")]"))))
    return Verdict::kReject;  // xs[::2], f(x)[::1]: a slice
  size_t groups = 0;
  bool hex_letters = true;
  for (auto g : split(address, ':')) {
    if (g.empty()) continue;
    ++groups;
    for (unsigned char c : g) hex_letters &= is_hex(c) && !is_digit(c);
  }
  if (groups == 0) return whole_value(t, start, end) ? Verdict::kAccept : Verdict::kReject;
  if (groups <= 2 && hex_letters) return Verdict::kReject;  // ::add, ::face, dead::beef
  return Verdict::kAccept;
}

bool card_other(const Text& t, Pos start, Pos end) {
  if (field_glued(t, start, end)) return false;
  std::string digits;
  for (Pos i = start; i < end; ++i)
    if (is_digit(t.d[i])) digits.push_back(static_cast<char>(t.d[i]));
  if (digits.size() < 12 || digits.size() > 19 || !luhn_ok(digits)) return false;
  if (digits.size() == 12) {  // Maestro's shortest numbers
    const int two = leading_int(digits, 2);
    return two == 50 || two == 56 || two == 57 || two == 58 || two == 63 || two == 67 || two == 69;
  }
  return (digits[0] == '1' && digits.size() == 15) || card_prefix_ok(digits);
}

// ---------------------------------------------------------------- keywords.py gates

// keywords._assignment, ported for the gates of _password_assignment and
// _secret_assignment (issue 16: the call back per key-word candidate was most of the
// scan's time). The port decides every candidate except a value of non-ASCII bytes
// without an ASCII letter or digit (is_placeholder reads such letters as Unicode),
// which is left to the Python validator. The tables come from keywords.NATIVE_GATE_PATTERNS (Latin-1 RE2): [0]
// identifier suffixes that name something else, [1] stand-in values, [2] templates,
// [3] reference words, [4] placeholder words, [5] MAX_VALUE, [6] MAX_QUOTED, [7] the bytes
// a template starts with, [8]-[11] codevalues.NATIVE_PATTERNS.
namespace kw {

enum class KeyKind { kNone, kPassword, kStrong, kWeak };
enum class Answer { kNo, kYes, kAsk };

inline bool full(const RE2& re, std::string_view s) {
  return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), re);
}
inline bool partial(const RE2& re, std::string_view s) {
  return RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), re);
}

// The words of a pattern written as keywords._alternation writes it,
// b"(?:" + b"|".join(re.escape(w) for w in words) + b")". RE2 (Latin-1, case-sensitive)
// fully matches such a pattern exactly where the string is one of the words, and
// partially where it holds one, so the gates test the words themselves: a per-value
// RE2 call cost more than the rest of the gate (issue 16, speed). A pattern of any
// other form gives nullopt, and the gate calls RE2.
class Words {
 public:
  static std::optional<Words> of(std::string_view pattern) {
    if (pattern.size() < 4 || pattern.substr(0, 3) != "(?:" || pattern.back() != ')')
      return std::nullopt;
    Words out;
    std::string word;
    for (size_t i = 3; i + 1 < pattern.size(); ++i) {
      const char c = pattern[i];
      if (c == '\\') {  // re.escape escapes only punctuation and whitespace
        if (i + 2 >= pattern.size() || std::isalnum(static_cast<unsigned char>(pattern[i + 1])))
          return std::nullopt;
        word.push_back(pattern[++i]);
      } else if (c == '|') {
        out.add(std::move(word));
        word.clear();
      } else if (std::strchr("()[]{}?*+.^$", c) != nullptr || c == '\0') {
        return std::nullopt;  // not a literal
      } else {
        word.push_back(c);
      }
    }
    out.add(std::move(word));
    return out;
  }
  // RE2::FullMatch: s is one of the words.
  bool is(std::string_view s) const {
    if (s.empty()) return empty_;
    for (const auto& w : by_first_[static_cast<unsigned char>(s[0])])
      if (w == s) return true;
    return false;
  }
  // RE2::PartialMatch: s holds one of the words.
  bool inside(std::string_view s) const {
    if (empty_) return true;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    for (size_t i = 0; i < n; ++i) {
      if (one_[p[i]]) return true;
      if (i + 1 == n || !pairs_[p[i] << 8 | p[i + 1]]) continue;
      for (const auto& w : by_first_[p[i]])
        if (w.size() <= n - i && std::memcmp(p + i, w.data(), w.size()) == 0) return true;
    }
    return false;
  }

 private:
  void add(std::string w) {
    const auto* b = reinterpret_cast<const unsigned char*>(w.data());
    if (w.empty()) empty_ = true;
    else if (w.size() == 1) one_[b[0]] = true;
    else pairs_[b[0] << 8 | b[1]] = true;
    if (!w.empty()) by_first_[b[0]].push_back(std::move(w));
  }
  std::vector<std::string> by_first_[256];  // the words by first byte
  std::vector<bool> pairs_ = std::vector<bool>(1 << 16);  // first two bytes of the longer ones
  bool one_[256] = {false};  // the words of one byte
  bool empty_ = false;
};

// A gate's pattern: its words where it is an alternation of literals, else RE2.
struct Matcher {
  std::unique_ptr<RE2> re;
  std::optional<Words> words;
  explicit Matcher(const std::string& pattern)
      : re(compile_latin1(pattern)), words(Words::of(pattern)) {}
  bool full(std::string_view s) const { return words ? words->is(s) : kw::full(*re, s); }
  bool partial(std::string_view s) const { return words ? words->inside(s) : kw::partial(*re, s); }
};

// keywords.NATIVE_GATE_PATTERNS, read once per detector: identifier suffixes that name
// something else, stand-in values, templates, reference words, placeholder words
// (Latin-1 patterns), then MAX_VALUE and MAX_QUOTED, then the bytes a template can start
// with (pattern_shapes.first_bytes: 256 flags, or empty where not known).
struct KeyTables {
  Matcher suffixes, values;
  std::unique_ptr<RE2> templates;
  Matcher references, placeholders;
  Pos max_value, max_quoted;
  bool template_first[256];
  // codevalues.NATIVE_PATTERNS: a member path, a version, a public client token, a
  // constant's name
  std::unique_ptr<RE2> member_path, version, public_token, constant_name;
  explicit KeyTables(const std::vector<std::string>& p)
      : suffixes(p.at(0)), values(p.at(1)), templates(compile_latin1(p.at(2))),
        references(p.at(3)), placeholders(p.at(4)), max_value(std::stoi(p.at(5))),
        max_quoted(std::stoi(p.at(6))), member_path(compile_latin1(p.at(8))),
        version(compile_latin1(p.at(9))), public_token(compile_latin1(p.at(10))),
        constant_name(compile_latin1(p.at(11))) {
    const bool known = p.size() > 7 && p[7].size() == 256;
    for (size_t b = 0; b < 256; ++b) template_first[b] = !known || p[7][b] != 0;
  }
  // _TEMPLATE.fullmatch(value): RE2 only where the value's first byte can start one.
  bool is_template(std::string_view value) const {
    if (!value.empty() && !template_first[static_cast<unsigned char>(value[0])]) return false;
    return full(*templates, value);
  }
};
inline bool key_byte(unsigned char b) { return is_alnum(b) || b == '_' || b == '.' || b == '-'; }
inline bool is_quote(unsigned char b) { return b == '"' || b == '\'' || b == '`'; }
std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(lower(static_cast<unsigned char>(c)));
  return out;
}
// bytes.strip() (ASCII whitespace) of s.
std::string_view py_strip(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && is_py_space(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && is_py_space(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

// keywords._identifier_kind (with _camel_tail) of an identifier of [A-Za-z0-9_.-].
KeyKind identifier_kind(std::string_view raw, const Matcher& suffixes) {
  std::string ident = lowered(raw);
  const size_t lead = ident.find_first_not_of('-');
  ident = lead == std::string::npos ? std::string() : ident.substr(lead);
  std::vector<std::string_view> parts;
  std::string_view rest(ident);
  while (!rest.empty()) {
    const size_t cut = rest.find_first_of("-._");
    std::string_view part = rest.substr(0, cut);
    if (!part.empty()) parts.push_back(part);
    if (cut == std::string_view::npos) break;
    rest = rest.substr(cut + 1);
  }
  if (parts.empty()) return KeyKind::kNone;
  size_t i = raw.size();
  while (i > 0 && is_lower(static_cast<unsigned char>(raw[i - 1]))) --i;
  std::string tail;
  if (0 < i && i < raw.size() && is_upper(static_cast<unsigned char>(raw[i - 1])) && i - 1 > 0)
    tail = lowered(raw.substr(i - 1));
  if (suffixes.full(parts.back()) || (!tail.empty() && suffixes.full(tail))) return KeyKind::kNone;
  std::string joined;  // keynames._PUBLIC_NAMES: public material
  for (std::string_view p : parts) joined.append(p);
  for (std::string_view name : {"publickey", "pubkey", "publickeytoken", "publishablekey"})
    if (joined.size() >= name.size() &&
        joined.compare(joined.size() - name.size(), name.size(), name) == 0)
      return KeyKind::kNone;
  for (const char* w : {"password", "passwd", "passwort", "passphrase", "passcode", "pwd"})
    if (ident.find(w) != std::string::npos) return KeyKind::kPassword;
  for (std::string_view p : parts)
    if (p == "pass" || p == "pw" || p == "pword") return KeyKind::kPassword;
  std::string under = ident;
  for (auto& c : under) c = c == '-' ? '_' : c;
  for (const char* w : {"secret", "credential", "apikey", "api_key", "privatekey", "private_key",
                        "accesskey", "access_key", "authkey", "auth_key"})
    if (under.find(w) != std::string::npos) return KeyKind::kStrong;
  for (const char* w : {"token", "key", "auth", "bearer", "signature", "sig", "salt", "cookie",
                        "session"})
    if (ident.find(w) != std::string::npos) return KeyKind::kWeak;
  return KeyKind::kNone;
}

// keywords.looks_generated
bool looks_generated(std::string_view value) {
  size_t a = 0, b = value.size();
  while (a < b && value[a] == '=') ++a;
  while (b > a && value[b - 1] == '=') --b;
  const std::string_view core = value.substr(a, b - a);
  const size_t n = core.size();
  if (n < 8) return false;
  if (looks_random(core) && entropy_at_least(core, 3.0)) return true;
  bool low = false, up = false, digit = false, other = false;
  for (unsigned char c : core) {
    low |= is_lower(c);
    up |= is_upper(c);
    digit |= is_digit(c);
    other |= !(is_lower(c) || is_upper(c) || is_digit(c));
  }
  if (n >= 16 && up && low && !digit && !other) return entropy_at_least(core, 4.0);
  if (n >= 12) return (low + up + digit + other) >= 3 && entropy_at_least(core, 3.3);
  return false;
}

// keywords.is_reference
bool is_reference(std::string_view v) {
  if ((!v.empty() && in(static_cast<unsigned char>(v[0]), "$%&*@![{<")) ||
      (!v.empty() && (v.back() == '(' || v.back() == ')')))
    return true;
  bool any = false, alpha = true;
  for (unsigned char c : v) {
    if (c == '.' || c == '_' || c == '-') continue;
    any = true;
    alpha &= is_alpha(c);
  }
  if (any && alpha) return true;
  if (v.find('.') == std::string_view::npos) return false;
  bool dotted = true;
  size_t start = 0;
  while (start <= v.size()) {
    size_t dot = v.find('.', start);
    if (dot == std::string_view::npos) dot = v.size();
    if (dot > start) dotted &= is_alpha(static_cast<unsigned char>(v[start]));
    start = dot + 1;
  }
  return dotted;
}

// keyvalues._TEMPLATE_PIECE.search(v): {} or {N}/{NN} (not in a brace run), ${NAME},
// {{ name }}, %(name)s|d|r.
bool holds_template_piece(std::string_view v) {
  const size_t n = v.size();
  auto word = [](unsigned char c) { return is_alnum(c) || c == '_'; };
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = v[i];
    if (c == '{') {
      size_t k = i + 1;
      while (k < n && k - i - 1 < 2 && is_digit(v[k])) ++k;
      // {}, {0}, {12}, not inside a brace run (q{{7}x): (?<!\{)\{[0-9]{0,2}\}(?!\})
      if (k < n && v[k] == '}' && !(i > 0 && v[i - 1] == '{') && !(k + 1 < n && v[k + 1] == '}'))
        return true;
      if (i + 1 < n && v[i + 1] == '{') {      // {{ ?[A-Za-z_][\w.]{0,60} ?}}
        k = i + 2;
        if (k < n && v[k] == ' ') ++k;
        if (k < n && (is_alpha(v[k]) || v[k] == '_')) {
          const size_t first = k++;
          while (k < n && k - first <= 60 && (word(v[k]) || v[k] == '.')) ++k;
          // the run may give back a byte to the optional space: only ' ' follows it here
          if (k - first <= 61) {
            size_t e = k;
            if (e < n && v[e] == ' ') ++e;
            if (e + 1 < n && v[e] == '}' && v[e + 1] == '}') return true;
          }
        }
      }
    } else if (c == '$' && i + 1 < n && v[i + 1] == '{') {  // ${[A-Za-z_][A-Za-z0-9_]{0,60}}
      size_t k = i + 2;
      if (k < n && (is_alpha(v[k]) || v[k] == '_')) {
        const size_t first = k++;
        while (k < n && k - first <= 60 && word(v[k])) ++k;
        if (k - first <= 61 && k < n && v[k] == '}') return true;
      }
    } else if (c == '%' && i + 1 < n && v[i + 1] == '(') {  // %([A-Za-z0-9_]{1,60})[sdr]
      size_t k = i + 2;
      while (k < n && k - i - 2 < 60 && word(v[k])) ++k;
      if (k > i + 2 && k + 1 < n && v[k] == ')' && in(v[k + 1], "sdr")) return true;
    }
  }
  return false;
}

// keyvalues._CALL.match(v): a dotted name and "(" (obj.method(, Buffer.from().
bool dotted_call(std::string_view v) {
  auto head = [](unsigned char c) { return is_alpha(c) || c == '_' || c == '$'; };
  auto rest = [](unsigned char c) { return is_alnum(c) || c == '_' || c == '$'; };
  size_t i = 0, n = v.size();
  int parts = 0;
  while (true) {
    if (i >= n || !head(v[i])) return false;
    ++i;
    while (i < n && rest(v[i])) ++i;
    ++parts;
    if (i < n && v[i] == '.') { ++i; continue; }
    return parts >= 2 && i < n && v[i] == '(';
  }
}

// keyvalues._repeats: a unit of at most 8 bytes repeated 3 times or more over the value.
bool repeats(std::string_view low) {
  const size_t n = low.size();
  if (n < 8) return false;
  for (size_t p = 1; p <= std::min<size_t>(8, n / 3); ++p)
    if (low.substr(p) == low.substr(0, n - p)) return true;
  return false;
}

// keyvalues._URL.match(v): (?i)[a-z][a-z0-9+.-]{1,15}:// or arn:
bool url_like(std::string_view v) {
  const size_t n = v.size();
  if (n >= 4 && lower(v[0]) == 'a' && lower(v[1]) == 'r' && lower(v[2]) == 'n' && v[3] == ':')
    return true;
  if (n == 0 || !is_alpha(v[0])) return false;
  size_t k = 1;
  while (k < n && k <= 16 && (is_alnum(v[k]) || in(v[k], "+.-"))) ++k;
  // the scheme's run is greedy but may end anywhere from 2 to 16 bytes: "://" must follow one
  for (size_t e = 2; e <= std::min<size_t>(k, 16); ++e)
    if (v.substr(e, 3) == "://") return true;
  return false;
}

// any(looks_generated(r) for r in keyvalues._ALNUM_RUN.findall(v)): a run of 16+ letters
// and digits that looks generated.
bool generated_run(std::string_view v) {
  size_t i = 0;
  while (i < v.size()) {
    if (!is_alnum(v[i])) { ++i; continue; }
    size_t k = i;
    while (k < v.size() && is_alnum(v[k])) ++k;
    if (k - i >= 16 && looks_generated(v.substr(i, k - i))) return true;
    i = k;
  }
  return false;
}

// keyvalues._built_or_located: a string built at run time, code, a repeated pattern, a URL
// (no "@") or a lower-case path, unless a generated run rides in it.
bool built_or_located(std::string_view value, std::string_view low) {
  // one pass for the bytes each shape needs, so most values skip the checks below
  bool brace = false, percent = false, paren = false, colon = false, at = false, space = false;
  size_t slashes = 0;
  for (unsigned char c : value) {
    brace |= c == '{', percent |= c == '%', paren |= c == '(', colon |= c == ':', at |= c == '@';
    space |= c == ' ', slashes += c == '/';
  }
  const std::string_view two = value.substr(0, 2);
  if ((brace || percent) && (holds_template_piece(value) ||
                             (brace && (two == "f\"" || two == "f'" || two == "$\""))))
    return true;
  if ((paren && dotted_call(value)) || repeats(low)) return true;
  bool located;
  if (colon && url_like(value))
    located = !(at && url_holds_password(value));
  else
    located = slashes >= 2 && value == low && !space;
  return located && !generated_run(value);
}

// keywords.is_placeholder, for an ASCII value.
bool is_placeholder(std::string_view value, const KeyTables& w) {
  const std::string low_all = lowered(value);
  const std::string_view low = py_strip(low_all);
  bool alnum = false;
  for (unsigned char c : low) alnum |= is_alnum(c);
  if (!alnum || w.values.full(low)) return true;
  bool seen[256] = {false};
  int distinct = 0;
  for (unsigned char c : low)
    if (c != '-' && c != '_' && !seen[c]) seen[c] = true, ++distinct;
  if (distinct <= 2) return true;
  std::string_view inner = py_strip(value);
  if (inner.size() > 2 && inner.front() == inner.back() && is_quote(inner.front()))
    inner = inner.substr(1, inner.size() - 2);  // quoted twice: "'$PRECOMPILE_PASSWORD'"
  if (w.is_template(inner) || w.references.partial(low)) return true;
  if (built_or_located(value, low) || slack_stand_in_value(inner)) return true;
  // keyvalues._MASKED: a bracketed marker its writer left; no generated value holds one
  for (std::string_view marker :
       {"[redacted", "<redacted", "(redacted", "[filtered", "[masked", "<masked"})
    if (low.find(marker) != std::string_view::npos) return true;
  return w.placeholders.partial(low) && !looks_generated(value);
}

// codevalues.code_shape: kPath for dot-separated identifiers with at most 3 digits (code
// unless a generated run rides in it), kCode for a version, an ellipsis (three dots
// exactly, or U+2026), a public client token or a constant's name.
enum class CodeShape { kNone, kPath, kCode };
CodeShape code_shape(std::string_view value, const KeyTables& w) {
  if (full(*w.version, value) || full(*w.public_token, value)) return CodeShape::kCode;
  if (full(*w.constant_name, value)) return CodeShape::kCode;
  if (value.find("\xE2\x80\xA6") != std::string_view::npos) return CodeShape::kCode;
  for (size_t i = 0; i < value.size();) {  // three dots exactly: a longer run is a hash's
    size_t k = i;
    while (k < value.size() && value[k] == '.') ++k;
    if (k - i == 3) return CodeShape::kCode;
    i = k > i ? k : i + 1;
  }
  if (!full(*w.member_path, value)) return CodeShape::kNone;
  int digits = 0;
  for (unsigned char c : value) digits += is_digit(c);
  return digits <= 3 ? CodeShape::kPath : CodeShape::kNone;
}

// codevalues.form_text: a form's label or sentence (two or more words between single
// spaces, each ending in at most one of ,.!?:;; the first a capital then lower-case
// letters, the others lower-case letters or a number, or capitalised after a sentence's
// end, or an abbreviation of 2 to 5 capitals among three words or more); bytes of UTF-8
// count as lower-case letters.
bool form_text(std::string_view value) {
  auto lower = [](std::string_view w) {
    for (unsigned char c : w)
      if (!((c >= 'a' && c <= 'z') || c >= 0x80)) return false;
    return true;
  };
  size_t count = 1;
  for (char c : value) count += c == ' ';
  if (count < 2) return false;
  bool ended = true;  // the text starts a sentence
  size_t i = 0;
  while (true) {
    const size_t space = value.find(' ', i);
    const std::string_view word = value.substr(i, space == value.npos ? value.npos : space - i);
    std::string_view core = word;
    if (!core.empty() && in(static_cast<unsigned char>(core.back()), ",.!?:;")) core.remove_suffix(1);
    if (core.empty()) return false;
    const unsigned char first = static_cast<unsigned char>(core[0]);
    const bool capital = first >= 'A' && first <= 'Z' && core.size() > 1 && lower(core.substr(1));
    bool abbreviation = core.size() >= 2 && core.size() <= 5, digits = true;
    for (unsigned char c : core) abbreviation &= c >= 'A' && c <= 'Z', digits &= is_digit(c);
    if (ended && !capital) return false;
    if (!(ended || lower(core) || digits || (abbreviation && count > 2))) return false;
    ended = in(static_cast<unsigned char>(word.back()), ".!?");
    if (space == value.npos) break;
    i = space + 1;
  }
  return true;
}

// keyvalues._CALLED.match: an identifier, then "(" (``makeToken("…")``: a call)
bool starts_with_call(std::string_view v) {
  if (v.empty() || !(is_alpha(v[0]) || v[0] == '_' || v[0] == '$')) return false;
  size_t i = 1;
  while (i < v.size() && (is_alnum(v[i]) || v[i] == '_' || v[i] == '.' || v[i] == '$')) ++i;
  return i < v.size() && v[i] == '(';
}

// keywords._decide
bool decide(KeyKind kind, std::string_view value, bool quoted, unsigned char after,
            const KeyTables& w, bool literal = false) {
  if (is_placeholder(value, w) || (!quoted && !value.empty() && in(value[0], "[{<$%("))) return false;
  if (kind == KeyKind::kPassword || kind == KeyKind::kStrong) {
    if (quoted || literal) return !form_text(value);  // "Gjenta passord": a form's text
    if (after == '(' || after == '[' || is_reference(value))
      return looks_generated(value) && !is_reference(value);
    return true;
  }
  if (!looks_generated(value) || (!quoted && (after == '(' || starts_with_call(value))))
    return false;  // ``token = makeToken("…")``: a call, whose arguments follow
  const CodeShape shape = code_shape(value, w);  // a version, a member path: code
  return shape == CodeShape::kNone || (shape == CodeShape::kPath && generated_run(value));
}

constexpr std::string_view kTokenChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_.~=-";

// keyvalues._closes_a_string: the quote at pos closes a string opened before it on its line
// (an odd count of that quote, within max_value bytes; escaped quotes and apostrophes
// between letters not counted) and code follows it (+ . , ; ) & |, after spaces).
bool closes_a_string(const Text& t, Pos pos, Pos max_value) {
  const unsigned char quote = t.d[pos];
  Pos after = pos + 1;
  while (after < t.n && (t.d[after] == ' ' || t.d[after] == '\t')) ++after;
  if (after >= t.n || !in(t.d[after], "+.,;)&|")) return false;
  const Pos floor = std::max<Pos>(0, pos - max_value);
  Pos line = pos;  // data.rfind(b"\n", floor, pos) + 1
  while (line > floor && t.d[line - 1] != '\n') --line;
  if (line == floor && floor > 0) return false;  // the line starts before the window
  int count = 0;
  for (Pos i = line; i < pos; ++i)
    if (t.d[i] == quote &&
        !(i > 0 && (t.d[i - 1] == '\\' || (is_alpha(t.d[i - 1]) && is_alpha(t.d[i + 1])))))
      ++count;
  return count % 2 == 1;
}

// keyvalues._flag_before: `--name=` (a command-line flag, after a space or at a line's
// start) ends at `at`.
bool flag_before(const Text& t, Pos at) {
  if (at == 0 || t.d[at - 1] != '=') return false;
  Pos start = at - 1;
  const Pos floor = std::max<Pos>(0, at - 42);
  while (start > floor && key_byte(t.d[start - 1])) --start;
  return start < t.n && t.d[start] == '-' && (start == 0 || in(t.d[start - 1], " \t\n"));
}

// keyvalues._names_its_key: the value ends with the name of the key before it (letters and
// digits, case ignored; the part after the last '.'), a name longer than a bare key word.
bool names_its_key(const Text& t, Pos key_end, Pos vstart, Pos vend) {
  Pos at = key_end;
  const Pos floor = std::max<Pos>(0, key_end - 16);
  while (at > floor && in(t.d[at - 1], " \t\"'`:=>,([]@")) --at;
  // The key's part after its last '.' (within 40 bytes), compared from the end with the
  // value's letters and digits, no copies: most values differ at their last one.
  const Pos key_floor = std::max<Pos>(0, at - 40);
  Pos k = at, v = vend, length = 0;
  while (k > key_floor && key_byte(t.d[k - 1]) && t.d[k - 1] != '.') {
    if (is_alnum(t.d[k - 1])) {
      while (v > vstart && !is_alnum(t.d[v - 1])) --v;
      if (v == vstart || lower(t.d[v - 1]) != lower(t.d[k - 1])) return false;
      --v, ++length;
    }
    --k;
  }
  if (length < 6) return false;
  std::string key;
  for (Pos i = k; i < at; ++i)
    if (is_alnum(t.d[i])) key.push_back(static_cast<char>(lower(t.d[i])));
  for (const char* bare : {"password", "passwd", "pwd", "pass", "passphrase", "secret", "token",
                           "key", "apikey", "auth", "credential", "credentials", "privatekey",
                           "accesskey", "secretkey"})
    if (key == bare) return false;
  return true;
}

// keywords._QUERY_NEXT.match(data, at): &[A-Za-z_][A-Za-z0-9_.-]{0,40}=
bool query_next(const Text& t, Pos at) {
  if (t.at(at) != '&' || at + 1 >= t.n) return false;
  const unsigned char first = t.d[at + 1];
  if (!(is_alpha(first) || first == '_')) return false;
  Pos k = at + 2, run = 0;
  while (k < t.n && run <= 40 && key_byte(t.d[k])) ++k, ++run;
  return run <= 40 && k < t.n && t.d[k] == '=';
}

// keywords._read_value: false for None.
bool read_value(const Text& t, Pos pos, Pos max_value, Pos max_quoted, Pos& vstart, Pos& vend,
                bool& quoted) {
  const Pos n = t.n, limit = std::min(n, pos + max_value), quote_limit = std::min(n, pos + max_quoted);
  Pos spaced = pos;
  const Pos spaced_floor = std::max<Pos>(0, pos - 4);
  while (spaced > spaced_floor && (t.d[spaced - 1] == ' ' || t.d[spaced - 1] == '\t')) --spaced;
  while (pos < limit && (t.d[pos] == ' ' || t.d[pos] == '\t')) ++pos;
  if (pos > spaced && flag_before(t, spaced)) return false;  // --password= https://…
  if (pos < limit && t.d[pos] == '@' && pos + 1 < n && is_quote(t.d[pos + 1])) ++pos;
  if (pos >= limit) return false;
  const unsigned char quote = t.d[pos];
  if (is_quote(quote)) {
    if (closes_a_string(t, pos, max_value)) return false;  // "Password: " + x
    const Pos close = t.find_byte(quote, pos + 1, quote_limit);
    const Pos newline = t.find_byte('\n', pos + 1, quote_limit);
    if (close < 0 || (0 <= newline && newline < close)) {
      Pos end = pos + 1;
      while (end < limit && in(t.d[end], kTokenChars)) ++end;
      while (end > pos + 1 && t.d[end - 1] == '.') --end;
      if (end <= pos + 1) return false;
      vstart = pos + 1, vend = end, quoted = false;
      return true;
    }
    std::string_view inner = t.view(pos + 1, close);
    size_t a = 0;
    while (a < inner.size() && is_py_space(static_cast<unsigned char>(inner[a]))) ++a;
    size_t b = a;
    while (b < inner.size() && !is_py_space(static_cast<unsigned char>(inner[b]))) ++b;
    std::string_view first = inner.substr(a, b - a);
    while (!first.empty() && in(static_cast<unsigned char>(first.back()), ".,:;"))
      first.remove_suffix(1);
    const Pos len = static_cast<Pos>(first.size());
    if (len >= 16 && close - pos - 1 > len && looks_generated(first)) {
      vstart = pos + 1, vend = pos + 1 + len, quoted = false;
      return true;
    }
    if (t.view(close + 1, std::min(n, close + 9)) == ".format(" || names_its_key(t, pos, pos + 1, close))
      return false;
    if (quote == '`') {  // KEY=`etcdctl get /k`: a shell command substitution, run later
      size_t c = b;
      while (c < inner.size() && is_py_space(static_cast<unsigned char>(inner[c]))) ++c;
      if (c < inner.size()) return false;  // a second word
    }
    vstart = pos + 1, vend = close, quoted = true;
    return true;
  }
  if (quote == '\r' || quote == '\n') return false;
  Pos end = pos;
  int depth = 0;
  while (end < limit) {
    const unsigned char b = t.d[end];
    if (b == '(' || b == '{' || b == '[') {
      ++depth;
    } else if ((b == ')' || b == '}' || b == ']') && depth > 0) {
      --depth;
    } else if (in(b, " \t\r\n,;)}]") || (b == '<' && t.at(end + 1) == '/' && end + 1 < n)) {
      break;
    } else if (b == '&' && query_next(t, end)) {
      break;
    }
    ++end;
  }
  while (end > pos && in(t.d[end - 1], "\"'`,;.:")) --end;
  if (end <= pos || names_its_key(t, pos, pos, end)) return false;
  vstart = pos, vend = end, quoted = false;
  return true;
}

// keywords._env_assignment: NAME (upper case, digits, '_') at a line's start, after
// "export ", "#" or "# " (a line commented out), for an env file's or a shell's NAME=value.
bool env_assignment(const Text& t, Pos start, Pos key_end) {
  if (key_end <= start || !is_upper(t.d[start])) return false;
  for (Pos i = start; i < key_end; ++i)
    if (!(is_upper(t.d[i]) || is_digit(t.d[i]) || t.d[i] == '_')) return false;
  if (start >= 7 && t.view(start - 7, start) == "export ") start -= 7;
  if (start >= 2 && t.view(start - 2, start) == "# ") {
    start -= 2;
  } else if (start >= 1 && t.d[start - 1] == '#') {
    start -= 1;
  }
  return start == 0 || t.d[start - 1] == '\n';
}

// keyvalues._ini_section_before: a `[section]` line among the lines before `line`
// (4 KB back at most).
bool ini_section_before(const Text& t, Pos line) {
  const Pos floor = std::max<Pos>(0, line - 4096);
  Pos end = line - 1;
  while (end > 0) {
    Pos nl = end - 1;  // data.rfind(b"\n", floor, end)
    while (nl >= floor && t.d[nl] != '\n') --nl;
    if (nl < floor) nl = -1;
    if (nl < 0 && floor > 0) return false;
    const Pos b = nl + 1;
    Pos e = end;
    while (e > b && in(t.d[e - 1], " \t\r")) --e;
    if (e - b > 2 && t.d[b] == '[' && t.d[e - 1] == ']') {
      bool inner = false;
      for (Pos i = b + 1; i < e - 1; ++i) inner |= t.d[i] == ']';
      if (!inner) return true;
    }
    end = nl;
  }
  return false;
}

// letterruns.generated_letters: 16+ letters, and 7+ capitals in a row or words (a capital
// that starts lower-case letters or a run of capitals) under 3 letters on average.
bool generated_letters(const Text& t, Pos vstart, Pos vend) {
  const Pos n = vend - vstart;
  if (n < 16) return false;
  Pos run = 0, longest = 0, words = 0;
  for (Pos i = vstart; i < vend; ++i) {
    const bool up = is_upper(t.d[i]);
    run = up ? run + 1 : 0;
    longest = std::max(longest, run);
    const bool starts = i == vstart || !is_upper(t.d[i - 1]) ||
                        (i + 1 < vend && t.d[i + 1] >= 'a' && t.d[i + 1] <= 'z');
    words += (up && starts) ? 1 : 0;
  }
  return longest > 6 || n < 3 * words;
}

// keyvalues.config_literal: the key alone at its line's start (indented, or after YAML's
// `- `) and a bare value that is the rest of the line, in a YAML mapping line (`key:
// value`, the value not a type) or an INI entry under a `[section]` line (`Key=value`).
bool config_literal(const Text& t, Pos start, std::string_view tail, Pos vstart, Pos vend) {
  if (vend < t.n && t.d[vend] != '\r' && t.d[vend] != '\n') return false;
  // `password: DB_PASSWORD`, `real_key`: a constant's or variable's name (bytes.isupper,
  // islower: cased letters of one case only, at least one; isalnum once '_' is dropped)
  bool underscore = false, alnum = true, upper = false, lower = false;
  for (Pos i = vstart; i < vend; ++i) {
    const unsigned char c = t.d[i];
    underscore |= c == '_';
    alnum &= c == '_' || is_upper(c) || is_digit(c) || (c >= 'a' && c <= 'z');
    upper |= is_upper(c), lower |= c >= 'a' && c <= 'z';
  }
  if (underscore && alnum && upper != lower) return false;
  Pos line = start;
  while (line > 0 && in(t.d[line - 1], " \t")) --line;
  if (line > 0 && t.d[line - 1] == '-' && line < start) {  // YAML's list item
    --line;
    while (line > 0 && in(t.d[line - 1], " \t")) --line;
  }
  if (line > 0 && t.d[line - 1] != '\n') return false;
  if (tail.size() > 1 && tail[0] == ':') {
    bool blank = true;
    for (size_t i = 1; i < tail.size(); ++i) blank &= tail[i] == ' ' || tail[i] == '\t';
    if (blank) {
      std::string low(t.view(vstart, vend));
      for (char& c : low) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
      for (std::string_view type : {"str", "string", "bytes", "int", "bool", "any", "object", "text"})
        if (low == type) return false;
      for (Pos i = vstart; i < vend; ++i)
        if (in(t.d[i], "[]()<>|")) return false;
      // PascalCase (`SecretStr`): letters only, an upper-case first, not lower-case after
      // (bytes.islower: a cased letter, none upper; so `A` and `AB` count too)
      bool letters = vend > vstart, later_upper = false;
      for (Pos i = vstart; i < vend; ++i) letters &= is_upper(t.d[i]) || (t.d[i] >= 'a' && t.d[i] <= 'z');
      for (Pos i = vstart + 1; i < vend; ++i) later_upper |= is_upper(t.d[i]);
      const bool rest_lower = vend - vstart > 1 && !later_upper;
      // (unless generated: letterruns.generated_letters and looks_generated, `QmTnVxLp…`)
      const bool generated =
          generated_letters(t, vstart, vend) && looks_generated(t.view(vstart, vend));
      if (letters && is_upper(t.d[vstart]) && !rest_lower && !generated) return false;
      return true;
    }
  }
  while (!tail.empty() && (tail.front() == ' ' || tail.front() == '\t')) tail.remove_prefix(1);
  while (!tail.empty() && (tail.back() == ' ' || tail.back() == '\t')) tail.remove_suffix(1);
  return tail == "=" && ini_section_before(t, line);
}

// keywords._PROMPT_DEFAULT: the tail after a prompt's current value shown before its colon
// (`[None]`, `[****MPLE]`: 1 to 40 '*' then at most 4 letters or digits), else the tail.
std::string_view prompt_default_end(std::string_view tail) {
  for (size_t i = 0; i < tail.size(); ++i) {
    if (tail[i] != '[') continue;
    size_t j = i + 1;
    if (tail.substr(j, 5) == "None]") return tail.substr(j + 5);
    size_t stars = 0, alnum = 0;
    while (j < tail.size() && tail[j] == '*' && stars < 40) ++j, ++stars;
    while (stars > 0 && j < tail.size() && alnum < 4 && is_alnum(static_cast<unsigned char>(tail[j])))
      ++j, ++alnum;
    if (stars > 0 && j < tail.size() && tail[j] == ']') return tail.substr(j + 1);
  }
  return tail;
}

// keywords._attributes: the tail is an XML element's attributes and its '>' (white space,
// a name's first letter, an '=' in it, a '>' at its end).
bool xml_attributes(std::string_view tail) {
  size_t i = 0;
  while (i < tail.size() && (tail[i] == ' ' || tail[i] == '\t')) ++i;
  if (i == 0 || i >= tail.size() || tail.back() != '>') return false;
  const unsigned char c = static_cast<unsigned char>(tail[i]);
  if (!(is_upper(c) || (c >= 'a' && c <= 'z') || c == '_' || c == ':')) return false;
  return tail.substr(i).find('=') != std::string_view::npos;
}

// keywords.plain_literal: `key=value` alone on its line (indented or not) with no space
// around `=`, or `<key attr="x"> value </key>` (the caller checked the key's '<'): the bare value is a
// literal, unless a dotted or called name or a constant's or variable's name in one case
// with '_' (`password=args.password`, `password=DB_PASSWORD`), and for `=` the key not an
// attribute (`cfg.password=hunter`).
bool plain_literal(const Text& t, Pos start, Pos key_end, std::string_view tail, Pos vstart,
                   Pos vend) {
  bool underscore = false, alnum = true, upper = false, lower = false;
  for (Pos i = vstart; i < vend; ++i) {
    const unsigned char c = t.d[i];
    if (c == '.' || c == '(') return false;
    underscore |= c == '_';
    alnum &= c == '_' || is_upper(c) || is_digit(c) || (c >= 'a' && c <= 'z');
    upper |= is_upper(c), lower |= c >= 'a' && c <= 'z';
  }
  if (underscore && alnum && upper != lower) return false;
  std::string_view closed = tail;
  while (!closed.empty() && (closed.back() == ' ' || closed.back() == '\t')) closed.remove_suffix(1);
  if (closed == ">" || xml_attributes(tail)) {
    Pos close = vend;
    while (close < vend + 3 && close < t.n && (t.d[close] == ' ' || t.d[close] == '\t')) ++close;
    return close + 1 < t.n && t.d[close] == '<' && t.d[close + 1] == '/';
  }
  if (tail != "=") return false;
  for (Pos i = start; i < key_end; ++i)
    if (t.d[i] == '.') return false;
  if (vend < t.n && t.d[vend] != '\r' && t.d[vend] != '\n') return false;
  Pos line = start;
  while (line > 0 && in(t.d[line - 1], " \t")) --line;
  return line == 0 || t.d[line - 1] == '\n';
}

// keywords._shell_word_end: an env file's or a shell's bare value runs to white space,
// `;`, `|`, `&&` or a quote (a closer, `=`, `#` inside it are the value's); a trailing
// `,.:` is not the value's.
Pos shell_word_end(const Text& t, Pos vstart, Pos vend, Pos limit) {
  while (vend < limit && !in(t.d[vend], " \t\r\n;|`\"'") &&
         !(t.d[vend] == '&' && t.at(vend + 1) == '&'))
    ++vend;
  while (vend > vstart && in(t.d[vend - 1], ",.:")) --vend;
  return vend;
}

// keywords._fallback: the quoted literal after `||`, `??` or `or ` at pos, the default a
// reference falls back to; sets [dstart, dend) inside its quotes.
bool fallback(const Text& t, Pos pos, Pos max_quoted, Pos& dstart, Pos& dend) {
  while (pos < t.n && in(t.d[pos], " \t")) ++pos;
  const std::string_view rest = t.view(pos, std::min(t.n, pos + 3));
  if (rest.substr(0, 2) == "||" || rest.substr(0, 2) == "??") pos += 2;
  else if (rest == "or ") pos += 3;
  else return false;
  while (pos < t.n && in(t.d[pos], " \t")) ++pos;
  if (pos >= t.n || !is_quote(t.d[pos])) return false;
  const Pos limit = std::min(t.n, pos + 1 + max_quoted);
  for (Pos i = pos + 1; i < limit; ++i) {
    if (t.d[i] == '\n') return false;
    if (t.d[i] == t.d[pos]) {
      dstart = pos + 1, dend = i;
      return true;
    }
  }
  return false;
}

// keywords._assignment on the match [start, end) for a password-like key word (`password`)
// or any other; kYes sets the value's span. The kind is checked before the value is read,
// so a value is never extended for a key word the caller drops (linear on password=…).
Answer assignment(const Text& t, Pos start, Pos end, const KeyTables& w, bool password,
                  Pos& vstart, Pos& vend) {
  const Pos max_value = w.max_value, max_quoted = w.max_quoted;
  const Pos key_word = start, floor = std::max<Pos>(0, start - 40);
  while (start > floor && key_byte(t.d[start - 1])) --start;
  if (start > 0 && (key_byte(t.d[start - 1]) || t.d[start - 1] >= 0x80)) return Answer::kNo;
  Pos key_end = key_word;
  while (key_end < end && key_byte(t.d[key_end])) ++key_end;
  const KeyKind kind = identifier_kind(t.view(start, key_end), w.suffixes);
  if (kind == KeyKind::kNone || (kind == KeyKind::kPassword) != password) return Answer::kNo;
  std::string_view tail = t.view(key_end, end), op = prompt_default_end(tail);
  auto stripped = [](unsigned char c) { return in(c, "\"'`[]0123456789 \t@"); };
  while (!op.empty() && stripped(static_cast<unsigned char>(op.front()))) op.remove_prefix(1);
  while (!op.empty() && stripped(static_cast<unsigned char>(op.back()))) op.remove_suffix(1);
  if (xml_attributes(tail)) op = ">";
  if (op == ">" && !(start > 0 && t.d[start - 1] == '<')) return Answer::kNo;
  const Pos value_at =
      (!tail.empty() && is_quote(static_cast<unsigned char>(tail.back())) && op.empty()) ? end - 1 : end;
  bool quoted = false;
  if (!read_value(t, value_at, max_value, max_quoted, vstart, vend, quoted)) return Answer::kNo;
  if ((op == "(" || op == ",") && !quoted) return Answer::kNo;
  if (op == "," && !(start > 0 && is_quote(t.d[start - 1]))) return Answer::kNo;
  const bool env = !quoted && tail == "=" && env_assignment(t, start, key_end);
  if (env) vend = shell_word_end(t, vstart, vend, std::min(t.n, value_at + max_value));
  const std::string_view value = t.view(vstart, vend);
  bool ascii = true, alnum = false;
  for (unsigned char c : value) ascii &= c < 0x80, alnum |= is_alnum(c);
  if (!ascii && !alnum) return Answer::kAsk;  // is_placeholder reads its letters as Unicode
  const unsigned char after = quoted ? t.at(vend + 1) : t.at(vend);
  const bool literal = env || (!quoted && (config_literal(t, start, tail, vstart, vend) ||
                                           plain_literal(t, start, key_end, tail, vstart, vend)));
  if (!decide(kind, value, quoted, after, w, literal)) {
    Pos dstart = 0, dend = 0;
    if (quoted || !fallback(t, vend, max_quoted, dstart, dend)) return Answer::kNo;
    const std::string_view dvalue = t.view(dstart, dend);
    bool dascii = true, dalnum = false;
    for (unsigned char c : dvalue) dascii &= c < 0x80, dalnum |= is_alnum(c);
    if (!dascii && !dalnum) return Answer::kAsk;
    if (!decide(kind, dvalue, true, t.at(dend + 1), w, false)) return Answer::kNo;
    vstart = dstart, vend = dend;
    return Answer::kYes;
  }
  if (!quoted && vend >= std::min(t.n, value_at + max_value))  // keywords.extend_value
    while (vend < t.n && in(t.d[vend], kTokenChars)) ++vend;
  return Answer::kYes;
}

// commands._other_scheme: the match is `Authorization: <scheme> ` (or Proxy-) with a
// scheme outside commands._SCHEMES, whose credential must look generated.
bool other_scheme(const Text& t, Pos start, Pos end) {
  std::string head;
  for (Pos i = start; i < end && head.size() < 19; ++i)
    head.push_back(static_cast<char>(lower(t.d[i])));
  if (head.rfind("authorization", 0) != 0 && head.rfind("proxy-authorization", 0) != 0)
    return false;
  Pos stop = end;
  while (stop > start && in(t.d[stop - 1], " \t")) --stop;
  Pos word = stop;
  while (word > start && (is_alnum(t.d[word - 1]) || in(t.d[word - 1], "_.-"))) --word;
  std::string scheme;
  for (Pos i = word; i < stop; ++i) scheme.push_back(static_cast<char>(lower(t.d[i])));
  for (const char* known : {"basic", "bearer", "token", "digest", "apikey", "api-key", "key",
                            "sso-key", "oauth", "otp", "negotiate", "ntlm"})
    if (scheme == known) return false;
  return true;
}

// commands._header on the match [start, end) (`Authorization: Bearer `, `X-Api-Key: `):
// the value after it, unless a placeholder, shorter than 8 bytes, a word after a
// header's colon, a reference, or a word after another scheme; kYes sets the value's span (extended as
// keywords.extend_value does). As in assignment(), a non-ASCII value without an ASCII
// letter or digit is left to the Python validator (is_placeholder reads its letters
// as Unicode). Pinned in native.GATE_PINS.
Answer header(const Text& t, Pos start, Pos end, const KeyTables& w, Pos& vstart, Pos& vend) {
  const Pos max_value = w.max_value, max_quoted = w.max_quoted;
  bool quoted = false;
  if (!read_value(t, end, max_value, max_quoted, vstart, vend, quoted)) return Answer::kNo;
  const std::string_view value = t.view(vstart, vend);
  if (value.size() < 8) return Answer::kNo;
  bool ascii = true, alnum = false;
  for (unsigned char c : value) ascii &= c < 0x80, alnum |= is_alnum(c);
  if (!ascii && !alnum) return Answer::kAsk;
  if (is_placeholder(value, w)) return Answer::kNo;
  Pos match_end = end;  // data[start:end].rstrip().endswith(b":")
  while (match_end > start && is_py_space(t.d[match_end - 1])) --match_end;
  const bool generated = looks_generated(value);
  if (match_end > start && t.d[match_end - 1] == ':' && !generated) return Answer::kNo;
  if (!generated && (is_reference(value) || other_scheme(t, start, end))) return Answer::kNo;
  if (!quoted && vend >= std::min(t.n, end + max_value))  // keywords.extend_value
    while (vend < t.n && in(t.d[vend], kTokenChars)) ++vend;
  return Answer::kYes;
}

}  // namespace kw

enum class Kind { kPattern, kPrivateKey, kTokens };

struct Detector {
  Kind kind = Kind::kPattern;
  int type = 0;
  int rank = 0;
  std::unique_ptr<RE2> regex;  // PEM header / token prefixes for the other kinds
  std::unique_ptr<RE2> body;   // PEM body for kPrivateKey
  std::vector<std::string> triggers;
  Validator validator = Validator::kNone;
  bool nonempty = false;  // no match is empty (so an empty span holds none)
  bool regional = false;  // search only the regions Scope gives (native.REGION_RULES)
  Validator region = Validator::kNone;  // the rule of those regions: its validator's, or
                                        // tables["regions"]'s for a Python-validated one
  std::vector<TokenBody> tokens;  // in the order of the prefix pattern's alternatives
  std::unique_ptr<PrefixFinder> prefixes;
  py::object python_validator;  // for Validator::kPython
  int set_slot = -1;  // its prefilter's slot (Engine::prefilters_present), or -1 (not gated)
  Gate gate = Gate::kNone;       // checked before python_validator is called
  std::vector<std::unique_ptr<RE2>> gate_words;  // its context patterns (Latin-1)
  std::unique_ptr<kw::KeyTables> key_tables;  // the same, read, for the key-word gates
  Starts starts;  // where its matches can start (native.START_RULES), rule kNone: anywhere
};

class Engine {
 public:
  Engine(const py::list& specs, const py::dict& tables, py::object jwt_header_ok,
         py::object finding)
      : jwt_header_ok_(std::move(jwt_header_ok)), finding_(std::move(finding)) {
    if (!PyType_Check(finding_.ptr())) throw std::invalid_argument("finding must be a class");
    load_tables(tables);
    for (const auto& item : specs) {
      py::tuple spec = item.cast<py::tuple>();
      std::string kind = spec[0].cast<std::string>();
      Detector det;
      det.type = type_index(spec[1].cast<std::string>());
      det.rank = spec[2].cast<int>();
      det.regex = compile(spec[3].cast<std::string>());
      if (kind == "pattern") {
        // ("pattern", type, rank, regex, triggers, validator, regional)
        det.kind = Kind::kPattern;
        for (const auto& trig : spec[4].cast<py::list>()) det.triggers.push_back(trig.cast<std::string>());
        det.validator = validator_named(spec[5].cast<std::string>());
        det.regional = spec[6].cast<bool>();
        det.region = det.validator;
        if (det.validator == Validator::kPython) {
          // ("pattern", ..., "python", False, function): the detector's own Python
          // validator, called with the text's bytes object and the match's offsets.
          if (spec.size() < 8 || det.regional) throw std::invalid_argument("python validator spec");
          det.python_validator = spec[7];
          // (..., function, gate, [context patterns as bytes]): see Gate above.
          if (spec.size() >= 10) {
            det.gate = gate_named(spec[8].cast<std::string>());
            const auto words = spec[9].cast<std::vector<std::string>>();
            if (det.gate == Gate::kHeader || det.gate == Gate::kKeywordPassword ||
                det.gate == Gate::kKeywordSecret)
              det.key_tables = std::make_unique<kw::KeyTables>(words);
            else
              for (const auto& w : words) det.gate_words.push_back(compile_latin1(w));
          }
        }
        // The lexicographically smallest string a match can be is empty if an empty
        // match is possible; where RE2 cannot tell, assume it is.
        std::string least, most;
        det.nonempty = det.regex->PossibleMatchRange(&least, &most, 8) && !least.empty();
      } else if (kind == "private_key") {
        // ("private_key", type, rank, header, body)
        det.kind = Kind::kPrivateKey;
        det.body = compile(spec[4].cast<std::string>());
      } else if (kind == "tokens") {
        // ("tokens", type, rank, prefix pattern, [(prefix, body byte table, min, max)]),
        // the prefixes in the order of the pattern's alternatives
        det.kind = Kind::kTokens;
        for (const auto& b : spec[4].cast<py::list>()) {
          py::tuple shape = b.cast<py::tuple>();
          std::string bytes = shape[1].cast<std::string>();
          if (bytes.size() != 256) throw std::invalid_argument("a token body table has 256 entries");
          Alphabet body;
          for (size_t i = 0; i < 256; ++i) body.in[i] = bytes[i] != 0;
          TokenBody token{shape[0].cast<std::string>(), body, shape[2].cast<Pos>(), shape[3].cast<Pos>()};
          std::string loose = shape[4].cast<std::string>();  // "" when the body must fit its shape
          if (!loose.empty()) {
            if (loose.size() != 256) throw std::invalid_argument("a loose body table has 256 entries");
            token.loose = true;
            for (size_t i = 0; i < 256; ++i) token.loose_body.in[i] = loose[i] != 0;
          }
          det.tokens.push_back(std::move(token));
        }
        det.prefixes = std::make_unique<PrefixFinder>(det.tokens);
      } else {
        throw std::invalid_argument("unknown detector kind " + kind);
      }
      detectors_.push_back(std::move(det));
    }
    load_prefilters(tables);
    load_regions(tables);
    load_starts(tables);
    names_[0] = py::reinterpret_steal<py::object>(PyUnicode_InternFromString("type"));
    names_[1] = py::reinterpret_steal<py::object>(PyUnicode_InternFromString("start"));
    names_[2] = py::reinterpret_steal<py::object>(PyUnicode_InternFromString("end"));
  }

  // engine._ScanPlan.collect: every detector's candidates, in detector order;
  // most detectors search regions of the text rather than all of it (see Scope).
  void collect(const Text& t, std::vector<Cand>& out) const {
    Scope scope(t);
    std::vector<bool> present;
    if (prefilter_slots_) present = prefilters_present(t, scope);
    for (const auto& det : detectors_) {
      if (det.set_slot >= 0 && !present[static_cast<size_t>(det.set_slot)]) continue;
      switch (det.kind) {
        case Kind::kPattern:
          collect_pattern(det, t, scope, out);
          break;
        case Kind::kPrivateKey: collect_private_keys(det, t, out); break;
        case Kind::kTokens: collect_tokens(det, t, out); break;
      }
    }
  }

  // Raw candidates in byte offsets: [(start, end, type, rank)].
  py::list candidates(const py::bytes& data) const {
    Text t = text_of(data);
    std::vector<Cand> found;
    collect(t, found);
    py::list out(found.size());
    for (size_t i = 0; i < found.size(); ++i) {
      const Cand& c = found[i];
      out[i] = py::make_tuple(c.start, c.end, types_[static_cast<size_t>(c.type)], c.rank);
    }
    return out;
  }

  // Everything engine.Redactor._redact does before replacement: candidates, minus
  // our own placeholders, in str offsets, merged into findings (Finding objects).
  py::tuple findings(const py::bytes& data, bool is_ascii) const {
    Text t = text_of(data);
    return finding_objects(scan(t, is_ascii));
  }

  // (redacted text, findings) with typed placeholders ("[EMAIL]"): all of
  // Redactor.redact for a Redactor without a pseudonym key or NER stage. The text
  // is None when nothing was found (the input is the output).
  py::tuple redact(const py::bytes& data, bool is_ascii) const {
    Text t = text_of(data);
    std::vector<Cand> merged = scan(t, is_ascii);
    py::tuple found = finding_objects(merged);
    if (merged.empty()) return py::make_tuple(py::none(), found);
    std::string out;
    out.reserve(static_cast<size_t>(t.n) + merged.size() * 8);
    Pos pos = 0;
    for (const Cand& f : merged) {
      out.append(t.view(pos, f.byte_start));
      out.push_back('[');
      out.append(type_names_[static_cast<size_t>(f.type)]);
      out.push_back(']');
      pos = f.byte_end;
    }
    out.append(t.view(pos, t.n));
    PyObject* text = is_ascii ? PyUnicode_DecodeASCII(out.data(), static_cast<Py_ssize_t>(out.size()), "strict")
                              : PyUnicode_DecodeUTF8(out.data(), static_cast<Py_ssize_t>(out.size()), "surrogatepass");
    if (!text) throw py::error_already_set();
    return py::make_tuple(py::reinterpret_steal<py::object>(text), found);
  }

 private:
  static Text text_of(const py::bytes& data) {
    char* buffer = nullptr;
    Py_ssize_t size = 0;
    if (PyBytes_AsStringAndSize(data.ptr(), &buffer, &size) != 0) throw py::error_already_set();
    return Text{reinterpret_cast<const unsigned char*>(buffer), size, data.ptr()};
  }

  void load_tables(const py::dict& tables) {
    for (auto item : tables["iban_lengths"].cast<py::dict>())
      tables_.iban_lengths[item.first.cast<std::string>()] = item.second.cast<int>();
    for (auto item : tables["file_extensions"])
      tables_.file_extensions.insert(item.cast<std::string>());
    for (auto item : tables["placeholder_values"])
      tables_.placeholder_values.insert(item.cast<std::string>());
    tables_.min_secret_entropy = tables["min_secret_entropy"].cast<double>();
    tables_.min_letters_only_entropy = tables["min_letters_only_entropy"].cast<double>();
    tables_.credential_rank_limit = tables["credential_rank_limit"].cast<int>();
    tables_.pseudonym_hex_chars = tables["pseudonym_hex_chars"].cast<size_t>();
    if (tables.contains("national_library")) {
      py::tuple lib = tables["national_library"].cast<py::tuple>();
      ids_ = std::make_unique<IdLibrary>(IdLibrary{lib[0], lib[1], lib[2]});
    }
    if (tables.contains("phone_library")) {
      // (_phone, valid_internationally, possible_internationally, valid_nationally,
      //  other_number, [calling codes])
      py::tuple lib = tables["phone_library"].cast<py::tuple>();
      phone_ = std::make_unique<PhoneLibrary>();
      phone_->validator = lib[0];
      phone_->valid_internationally = lib[1];
      phone_->possible_internationally = lib[2];
      phone_->valid_nationally = lib[3];
      phone_->other_number = lib[4];
      for (auto code : lib[5]) {
        const int c = code.cast<int>();
        if (c < 0 || c >= 1000) throw std::invalid_argument("calling code");
        phone_->calling_codes[static_cast<size_t>(c)] = true;
      }
    }
    if (tables.contains("national_id_lengths")) {
      tables_.id_probed = tables["national_id_probed"].cast<Pos>();
      for (auto item : tables["national_id_lengths"]) {
        py::tuple row = item.cast<py::tuple>();  // (deletes, pad, strip, grow, lengths)
        Tables::IdModule m;
        for (char c : row[0].cast<std::string>())  // each byte once (summed per byte below)
          if (m.deletes.find(c) == std::string::npos) m.deletes.push_back(c);
        m.pad = row[1].cast<Pos>();
        m.strip = row[2].cast<Pos>();
        m.grow = row[3].cast<Pos>();
        m.accepted.assign(static_cast<size_t>(tables_.id_probed) + 1, false);
        for (auto length : row[4].cast<py::tuple>()) {
          const Pos l = length.cast<Pos>();
          if (l < 0 || l > tables_.id_probed) throw std::invalid_argument("national id length");
          m.accepted[static_cast<size_t>(l)] = true;
        }
        tables_.id_modules.push_back(std::move(m));
      }
    }
  }

  // tables["prefilters"]: [(detector index, prefilter pattern, shape)], absent for none;
  // a prefilter with a shape (a table per position, see Shape) is checked by it, the
  // others in one RE2::Set.
  void load_prefilters(const py::dict& tables) {
    if (!tables.contains("prefilters")) return;
    auto set = std::make_unique<RE2::Set>(re2_options(), RE2::UNANCHORED);
    int slots = 0, in_set = 0;
    for (auto item : tables["prefilters"]) {
      py::tuple entry = item.cast<py::tuple>();
      const size_t index = entry[0].cast<size_t>();
      const std::string pattern = entry[1].cast<std::string>();
      if (index >= detectors_.size() || detectors_[index].set_slot >= 0)
        throw std::invalid_argument("prefilter of no detector");
      // ("shape", [a table per position]) or ("words", [lower-case words]), or None
      py::tuple check = entry.size() > 2 && !entry[2].is_none() ? entry[2].cast<py::tuple>()
                                                                 : py::tuple();
      const std::string how = check.size() == 2 ? check[0].cast<std::string>() : "";
      if (how == "shape") {
        shapes_.emplace_back(check[1].cast<std::vector<std::string>>());
        shapes_.back().slot = static_cast<size_t>(slots);
      } else if (how == "words") {
        word_lists_.emplace_back(check[1].cast<std::vector<std::string>>());
        word_lists_.back().slot = static_cast<size_t>(slots);
      } else {
        std::string error;
        if (set->Add(pattern, &error) != in_set++)
          throw std::invalid_argument("RE2::Set cannot add " + pattern + ": " + error);
        set_slots_.push_back(static_cast<size_t>(slots));
      }
      detectors_[index].set_slot = slots++;
    }
    prefilter_slots_ = static_cast<size_t>(slots);
    if (in_set == 0) return;
    if (!set->Compile()) throw std::invalid_argument("RE2::Set cannot compile the prefilters");
    prefilters_ = std::move(set);
  }

  // tables["regions"]: [(detector index, region rule name)] for Python-validated pattern
  // detectors (native.region_tables), absent for none.
  void load_regions(const py::dict& tables) {
    if (!tables.contains("regions")) return;
    for (auto item : tables["regions"]) {
      py::tuple entry = item.cast<py::tuple>();
      const size_t index = entry[0].cast<size_t>();
      if (index >= detectors_.size() || detectors_[index].kind != Kind::kPattern ||
          detectors_[index].validator != Validator::kPython ||
          entry[1].cast<std::string>() != "mailbox")
        throw std::invalid_argument("region rule of no Python-validated pattern detector");
      detectors_[index].regional = true;
      detectors_[index].region = Validator::kMailbox;
    }
  }

  // tables["starts"]: [(detector index, rule name, [key words])], absent for none.
  void load_starts(const py::dict& tables) {
    if (!tables.contains("starts")) return;
    for (auto item : tables["starts"]) {
      py::tuple entry = item.cast<py::tuple>();
      const size_t index = entry[0].cast<size_t>();
      if (index >= detectors_.size() || detectors_[index].kind != Kind::kPattern ||
          detectors_[index].regional || detectors_[index].starts.rule != StartRule::kNone)
        throw std::invalid_argument("start rule of no whole-text pattern detector");
      Starts& starts = detectors_[index].starts;
      const StartRule rule = start_rule_named(entry[1].cast<std::string>());
      if (rule == StartRule::kKeyword) {
        starts.keywords(entry[2].cast<std::vector<std::string>>());
      } else {
        starts.rule = rule;
      }
    }
  }

  // Which prefilters occur in the text. Where the Set's DFA fails (out of memory) every
  // prefilter counts as present: the detectors are searched as without the Set.
  std::vector<bool> prefilters_present(const Text& t, Scope& scope) const {
    std::vector<bool> present(prefilter_slots_, false);
    for (const auto& shape : shapes_) present[shape.slot] = shape.occurs(t, scope);
    for (const auto& words : word_lists_) present[words.slot] = words.occurs(t, scope);
    if (!prefilters_) return present;
    std::vector<int> hits;
    RE2::Set::ErrorInfo error{};
    const bool any = prefilters_->Match(
        re2::StringPiece(reinterpret_cast<const char*>(t.d), static_cast<size_t>(t.n)), &hits, &error);
    if (!any && error.kind != RE2::Set::kNoError) {
      for (size_t slot : set_slots_) present[slot] = true;
      return present;
    }
    for (int h : hits) present[set_slots_[static_cast<size_t>(h)]] = true;
    return present;
  }

  int type_index(const std::string& name) {
    for (size_t i = 0; i < type_names_.size(); ++i)
      if (type_names_[i] == name) return static_cast<int>(i);
    type_names_.push_back(name);
    types_.push_back(py::str(name));
    return static_cast<int>(type_names_.size() - 1);
  }

  // detector.PatternDetector.collect (groups == (0,) only; the Python side checks).
  void collect_pattern(const Detector& det, const Text& t, Scope& scope,
                       std::vector<Cand>& out) const {
    if (!det.triggers.empty()) {
      bool any = false;
      for (const auto& trig : det.triggers) {
        if (scope.contains(trig)) {
          any = true;
          break;
        }
      }
      if (!any) return;
    }
    const Regions* regions = det.regional ? scope.regions(det.region) : nullptr;
    if (regions == nullptr) {
      const bool sparse = det.starts.rule != StartRule::kNone && det.starts.find(t, scope);
      search(det, t, 0, t.n, out, false, sparse ? &scope.starts : nullptr);
      return;
    }
    // Regions closer than this are searched as one span: scanning the bytes between
    // costs less than another RE2 call (the span still holds every match).
    constexpr Pos kJoin = 256;
    Pos pos = 0;
    for (size_t i = 0; i < regions->size();) {
      const Pos first = (*regions)[i].first;
      Pos last = (*regions)[i].second;
      for (++i; i < regions->size() && (*regions)[i].first - last < kJoin; ++i) last = (*regions)[i].second;
      pos = search(det, t, std::max(pos, first), last, out, true);
    }
  }

  // PatternDetector.collect's loop over the matches in [pos, stop), which no match
  // crosses; returns where the next search would start.
  // With `starts` (every position a match can start at, ascending), RE2 runs anchored at
  // each start from `pos` on instead of searching [pos, stop) unanchored.
  Pos search(const Detector& det, const Text& t, Pos pos, Pos stop, std::vector<Cand>& out,
             bool regional = false, const std::vector<Pos>* starts = nullptr) const {
    std::vector<Span> many;
    size_t next = 0;  // the first of `starts` not tried yet
    for (bool first = true; pos < stop || (pos == stop && !det.nonempty); first = false) {
      if (regional && !first && !more_possible(det.region, t, pos, stop)) break;
      Pos start, end;
      if (starts != nullptr) {
        bool found = false;
        for (; next < starts->size(); ++next) {
          const Pos at = (*starts)[next];
          if (at < pos) continue;
          if (at > stop) break;
          if ((found = match(*det.regex, t, at, stop, RE2::ANCHOR_START, start, end))) break;
        }
        if (!found) break;
      } else if (!match(*det.regex, t, pos, stop, RE2::UNANCHORED, start, end)) {
        break;
      }
      pos = end == start ? std::max(end, pos + 1) : end;
      if (det.validator == Validator::kCards) {
        many.clear();
        Pos resume = cards(t, start, end, many);
        for (const auto& s : many) out.push_back({s.first, s.second, det.type, det.rank, 0, 0});
        if (start < resume && resume < end) pos = resume;
        continue;
      }
      if (det.validator == Validator::kPython) {
        // As PatternDetector.collect: a narrowed span resumes the search after its end
        // but past the match's start; an extended one (a value read after the match)
        // after its end.
        const Pos match_start = start, match_end = end;
        Pos gate_start = start, gate_end = end;
        const Verdict verdict = gate(det, t, gate_start, gate_end);
        if (verdict == Verdict::kReject) continue;
        if (verdict == Verdict::kAccept) {
          start = gate_start;
          end = gate_end;
        } else if (!python_validate(det, t, start, end)) {
          continue;
        }
        if (end != match_end) pos = std::max(end, match_start + 1);
      } else if (det.validator != Validator::kNone) {
        const Pos match_end = end;
        if (!validate(det.validator, t, start, end)) continue;
        if (end < match_end) pos = end;
      }
      out.push_back({start, end, det.type, det.rank, 0, 0});
    }
    return pos;
  }

  // After a match inside a region, whether [pos, stop) still holds what every match
  // of the detector holds (see the table above Alphabet): saves a search that
  // would find nothing.
  static bool more_possible(Validator v, const Text& t, Pos pos, Pos stop) {
    switch (v) {
      case Validator::kEmail:
      case Validator::kMailbox: return t.find_byte('@', pos, stop) >= 0;
      case Validator::kJwt: return t.find("eyJ", pos, stop) >= 0;
      case Validator::kUrlPassword: return t.find("://", pos, stop) >= 0;
      case Validator::kIpv6: {
        Pos colon = t.find_byte(':', pos, stop);
        return colon >= 0 && t.find_byte(':', colon + 1, stop) >= 0;
      }
      default: {  // every numeric pattern holds a digit
        Pos k = pos;
        while (k < stop && !is_digit(t.d[k])) ++k;
        return k < stop;
      }
    }
  }

  // The detector's Gate on a match: reject, accept (start, end possibly narrowed) or
  // ask the Python validator.
  Verdict gate(const Detector& det, const Text& t, Pos& start, Pos& end) const {
    const auto& words = det.gate_words;
    switch (det.gate) {
      case Gate::kNone: return Verdict::kAsk;
      case Gate::kFieldPhone:  // [not-phone words] or [not-phone words, phone words, number
                               // word, id named, date-like, ipv4 inside, number sign, currency
                               // before, thousands, ISBN written]: every prefix _one_phone
                               // tries fails
        if ((field_glued_before(t, start) && !word_opens(t, start)) ||
            count_digits(t.view(start, end)) < 7 ||
            found_before(*words.at(0), t, start, 24) ||
            (words.size() >= 6 && field_phone_refused(t, start, end, words)))
          return Verdict::kReject;
        // the port, where native.py passed the library for this very validator
        if (phone_ && words.size() >= 10 && det.python_validator.is(phone_->validator)) {
          Pos e = end;
          const Phone p = field_phone(t, start, e, words, *phone_);
          if (p == Phone::kNo) return Verdict::kReject;
          if (p == Phone::kYes) {
            end = e;
            return Verdict::kAccept;
          }
        }
        return Verdict::kAsk;
      case Gate::kNationalId: {  // [id words] or [id words, not-phone words]
        if (field_glued(t, start, end) || !national_id_length_possible(t.view(start, end), tables_))
          return Verdict::kReject;
        bool letter = false;
        for (Pos i = start; i + 1 < end && !letter; ++i) letter = is_alpha(t.d[i]);
        if (words.size() < 2) {
          if (!letter && !found_before(*words.at(0), t, start, 48)) return Verdict::kReject;
          return Verdict::kAsk;
        }
        // named: an ID word in the value's own field (_clause); RE2's Latin-1 case folding
        // finds at least what Python's does, so "not named" here is not named there
        const Pos a = std::max<Pos>(0, start - 48);
        Pos cut = a;
        for (Pos i = a; i < start; ++i)
          if (in(t.d[i], ",;|\n")) cut = i + 1;
        const bool named = found_before(*words.at(0), Text{t.d + cut, start - cut}, start - cut, 48);
        if (!letter && !named) return Verdict::kReject;
        if (!named && found_before(*words.at(1), t, start, 48)) return Verdict::kReject;
        if (!ids_ || !det.python_validator.is(ids_->validator)) return Verdict::kAsk;
        return national_id(t, start, end, named, *words.at(1), *ids_);
      }
      case Gate::kCardOther: return card_other(t, start, end) ? Verdict::kAccept : Verdict::kReject;
      case Gate::kQuotedGenerated:
        return quoted_generated(t, start, end) ? Verdict::kAccept : Verdict::kReject;
      case Gate::kTwoPartJwt: {  // credentials._two_part_jwt (pinned): header.payload
        const Pos dot = t.find_byte('.', start, end);
        if (dot < 0) return Verdict::kAsk;
        Pos header_end = dot;  // .rstrip(b" \t\r\n\\")
        while (header_end > start && in(t.d[header_end - 1], " \t\r\n\\")) --header_end;
        if (header_end - start > 4096) return Verdict::kReject;
        for (Pos i = start; i < header_end; ++i)
          if (!is_alnum(t.d[i]) && t.d[i] != '-' && t.d[i] != '_') return Verdict::kAsk;
        const auto keys = simple_jwt_keys(t.view(start, header_end));
        if (!keys) return Verdict::kAsk;
        return keys->alg || keys->typ ? Verdict::kAccept : Verdict::kReject;
      }
      case Gate::kIbanAnyCase: {  // spellings._iban_any_case, the whole validator (pinned)
        if ((start > 0 && is_alnum(t.d[start - 1])) || end - start < 2) return Verdict::kReject;
        auto upper = [](unsigned char c) { return static_cast<char>(is_lower(c) ? c - 32 : c); };
        const std::string country{upper(t.d[start]), upper(t.d[start + 1])};
        const auto length = tables_.iban_lengths.find(country);
        if (length == tables_.iban_lengths.end()) return Verdict::kReject;
        std::string compact;
        Pos pos = start;
        for (; pos < end && static_cast<Pos>(compact.size()) < length->second; ++pos)
          if (is_alnum(t.d[pos])) compact.push_back(upper(t.d[pos]));
        if (static_cast<Pos>(compact.size()) < length->second || (pos < t.n && is_alnum(t.d[pos])))
          return Verdict::kReject;
        if (!iban_ok(compact, tables_)) return Verdict::kReject;
        end = pos;
        return Verdict::kAccept;
      }
      case Gate::kPhoneInContext: {  // pii._phone, then a bare 0… run needs a phone word
        if (!phone(t, start, end) || (is_digit(t.d[start]) && iban_group_before(t, start)))
          return Verdict::kReject;
        bool bare = t.d[start] == '0';
        for (Pos i = start; i < end && bare; ++i) bare = is_digit(t.d[i]);
        if (!bare && !ssn_shaped(t.view(start, end))) return Verdict::kAccept;
        // fieldnumbers.phone_word_before: phone_not_said is exact on an ASCII context
        // ([not-phone, phone, number, id named, …] words, pinned in native.GATE_HELPERS)
        const Pos a = std::max<Pos>(0, start - 48);
        for (Pos i = a; i < start; ++i)
          if (t.d[i] >= 0x80 || words.size() < 4) return Verdict::kAsk;
        return phone_not_said(t.view(a, start), *words.at(1), *words.at(2), *words.at(3))
                   ? Verdict::kReject
                   : Verdict::kAccept;
      }
      case Gate::kIpv4Block: return ipv4_block(t, start, end);
      case Gate::kIpv6Network: return ipv6_network(t, start, end);
      case Gate::kMailbox: return mailbox(t, tables_, start, end);
      case Gate::kUuidLayout: {  // fewer than 3 letters beyond hex: an id, not a key
        int beyond_hex = 0;
        for (Pos i = start; i < end; ++i) beyond_hex += lower_byte_beyond_f(t.d[i]);
        return beyond_hex < 3 ? Verdict::kReject : Verdict::kAsk;
      }
      case Gate::kHeader: {  // [suffixes, values, templates, references, words, limits]
        Pos vstart = start, vend = end;
        const kw::Answer a = kw::header(t, start, end, *det.key_tables, vstart, vend);
        if (a == kw::Answer::kAsk) return Verdict::kAsk;
        if (a == kw::Answer::kNo) return Verdict::kReject;
        start = vstart;
        end = vend;
        return Verdict::kAccept;
      }
      case Gate::kKeywordPassword:
      case Gate::kKeywordSecret: {  // [suffixes, values, templates, references, words, limits]
        const bool password = det.gate == Gate::kKeywordPassword;
        Pos vstart = start, vend = end;
        const kw::Answer a = kw::assignment(t, start, end, *det.key_tables, password, vstart, vend);
        if (a == kw::Answer::kAsk) return Verdict::kAsk;
        if (a == kw::Answer::kNo) return Verdict::kReject;
        start = vstart;
        end = vend;
        return Verdict::kAccept;
      }
    }
    return Verdict::kAsk;
  }

  // PatternDetector.collect's call of a Python validator: None rejects the match,
  // (start, end) is the span to report.
  static bool python_validate(const Detector& det, const Text& t, Pos& start, Pos& end) {
    if (t.bytes == nullptr) throw std::logic_error("python validator without a bytes object");
    py::object result = det.python_validator(py::handle(t.bytes), start, end);
    if (result.is_none()) return false;
    py::tuple span = result.cast<py::tuple>();
    start = span[0].cast<Pos>();
    end = span[1].cast<Pos>();
    return true;
  }

  bool validate(Validator v, const Text& t, Pos& start, Pos& end) const {
    switch (v) {
      case Validator::kEmail: return email(t, tables_, start, end);
      case Validator::kPhone: return phone(t, start, end);
      case Validator::kSsn: return ssn(t, start, end);
      case Validator::kSsnKeyword: return ssn_after_key_word(t, start, end);
      case Validator::kIban: return iban(t, tables_, start, end);
      case Validator::kIpv4: return ipv4(t, start, end);
      case Validator::kIpv6: return ipv6(t, start, end);
      case Validator::kJwt: return jwt(t, start, end);
      case Validator::kUrlPassword: return url_password_match(t, start, end);
      case Validator::kPassword: return password_match(t, tables_, start, end);
      case Validator::kKeywordSecret: return keyword_secret_match(t, tables_, start, end);
      case Validator::kNone:
      case Validator::kPython:
      case Validator::kCards: break;
    }
    return true;
  }

  bool jwt(const Text& t, Pos start, Pos end) const {
    Pos dot = t.find_byte('.', start, end);
    if (dot < 0) throw std::logic_error("JWT match without .");
    if (dot - start > 4096) return false;
    std::string_view header = t.view(start, dot);
    if (auto known = simple_jwt_header(header)) return *known;
    py::object ok = jwt_header_ok_(py::bytes(header.data(), header.size()));
    return ok.cast<bool>();
  }

  // credentials.PrivateKeyDetector.collect
  void collect_private_keys(const Detector& det, const Text& t, std::vector<Cand>& out) const {
    if (!t.contains("PRIVATE KEY")) return;
    const Pos n = t.n;
    Pos covered_to = 0, no_end_from = n + 1, pos = 0;
    while (pos <= n) {
      Pos start, header_end;
      if (!match(*det.regex, t, pos, n, RE2::UNANCHORED, start, header_end)) return;
      pos = header_end;
      if (start < covered_to) continue;
      Pos end = -1;
      if (header_end < no_end_from) {
        end = t.find("-----END", header_end, n);
        if (end < 0) no_end_from = header_end;
      }
      bool keyless = false;
      if (end >= 0) {
        keyless = !key_material(t.view(header_end, end));
        Pos close = t.find("-----", end + 8, end + 8 + 80);
        end = close >= 0 ? close + 5 : end + 8;
      } else {
        Pos s, e;
        if (!match(*det.body, t, header_end, n, RE2::ANCHOR_START, s, e)) e = -1;
        end = std::max(header_end, e);
      }
      covered_to = end;
      if (!keyless) out.push_back({start, end, det.type, det.rank, 0, 0});
    }
  }

  // tokens._loose_end: where a body read off its shape ends, or -1.
  static Pos loose_token_end(const Text& t, const TokenBody& shape, Pos body_start) {
    constexpr Pos kMaxLoose = 256;  // tokens.MAX_LOOSE
    const Pos stop = std::min(t.n, body_start + kMaxLoose + 1);
    Pos end = body_start;
    while (end < stop && shape.loose_body.in[t.d[end]]) ++end;
    while (end > body_start && t.d[end - 1] == '.') --end;
    const unsigned char after = t.at(end);
    if (is_word(after) || after == '-') return -1;
    const std::string_view body = t.view(body_start, end);
    if (!looks_random(body) || !entropy_at_least(body, 4.5)) return -1;
    return counts_up(body) ? -1 : end;
  }

  // tokens._counts_up: five steps up in a run that only counts up or repeats a letter.
  static bool counts_up(std::string_view body) {
    int ups = 0;
    for (size_t i = 1; i < body.size(); ++i) {
      const int a = static_cast<unsigned char>(body[i - 1]) | 0x20;
      const int b = static_cast<unsigned char>(body[i]) | 0x20;
      if (b - a == 1 && a != 0x39 && a != 0x7A) {
        if (++ups == 5) return true;
      } else if (b != a) {
        ups = 0;
      }
    }
    return false;
  }

  // tokens.ProviderTokenDetector.collect
  void collect_tokens(const Detector& det, const Text& t, std::vector<Cand>& out) const {
    const Pos n = t.n;
    Pos covered_to = 0, pos = 0;
    while (pos <= n) {
      auto found = det.prefixes->find(t, det.tokens, pos);
      if (!found) return;
      const TokenBody& shape = det.tokens[found->first];
      const Pos start = found->second;
      const Pos body_start = start + static_cast<Pos>(shape.prefix.size());
      pos = body_start;
      if (start < covered_to) continue;
      // tokenstandins.in_dotted_name: box.ico-7a38..., a prefix inside a dotted name
      if (start > 1 && t.d[start - 1] == '.' && is_word(t.d[start - 2])) continue;
      Pos end = body_start;
      while (end < n && shape.body.in[t.d[end]]) ++end;
      covered_to = end;
      while (end > body_start && t.d[end - 1] == '.') --end;  // a sentence's full stop
      const Pos length = end - body_start;
      unsigned char after = t.at(end);
      if (!(shape.min_body <= length && length <= shape.max_body) || is_word(after) || after == '-') {
        if (!shape.loose) continue;
        const Pos loose = loose_token_end(t, shape, body_start);
        if (loose < 0) continue;
        end = covered_to = loose;
      }
      if (shape.prefix == "sk-" && !random_openai_body(t.view(body_start, end))) continue;
      const std::string_view body = t.view(body_start, end);
      if (placeholder_body(body) || slack_stand_in(shape.prefix, body)) continue;
      out.push_back({start, end, det.type, det.rank, 0, 0});
    }
  }

  // replacement.is_placeholder on data[start:end], which starts with "[".
  bool own_placeholder(const Text& t, const Cand& c) const {
    if (t.d[c.start] != '[') return false;
    std::string_view value = t.view(c.start, c.end);
    if (value.size() < 3 || value.front() != '[' || value.back() != ']') return false;
    std::string_view inner = value.substr(1, value.size() - 2);
    size_t underscore = inner.rfind('_');
    std::string_view name = underscore == inner.npos ? std::string_view() : inner.substr(0, underscore);
    std::string_view suffix = underscore == inner.npos ? inner : inner.substr(underscore + 1);
    if (!name.empty() && suffix.size() == tables_.pseudonym_hex_chars &&
        only_of(suffix, "0123456789abcdef"))
      inner = name;
    return only_of(inner, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
  }

  // engine._to_str_offsets: UTF-8 (surrogatepass) byte offsets -> str offsets.
  static void to_str_offsets(const Text& t, std::vector<Cand>& found) {
    std::vector<Pos> offsets;
    offsets.reserve(found.size() * 2);
    for (const auto& c : found) {
      offsets.push_back(c.start);
      offsets.push_back(c.end);
    }
    std::sort(offsets.begin(), offsets.end());
    offsets.erase(std::unique(offsets.begin(), offsets.end()), offsets.end());
    std::vector<Pos> chars(offsets.size());
    Pos byte = 0, ch = 0;
    for (size_t i = 0; i < offsets.size(); ++i) {
      const Pos off = offsets[i];
      if (off < t.n && (t.d[off] & 0xC0) == 0x80)
        throw std::invalid_argument("a finding boundary splits a character");
      for (; byte < off; ++byte) ch += (t.d[byte] & 0xC0) != 0x80;
      chars[i] = ch;
    }
    auto map = [&](Pos off) {
      return chars[static_cast<size_t>(std::lower_bound(offsets.begin(), offsets.end(), off) -
                                       offsets.begin())];
    };
    for (auto& c : found) {
      c.start = map(c.start);
      c.end = map(c.end);
    }
  }

  // engine._winner_key(a) < engine._winner_key(b)
  bool wins(const Cand& a, const Cand& b) const {
    const int ca = a.rank < tables_.credential_rank_limit ? 0 : 1;
    const int cb = b.rank < tables_.credential_rank_limit ? 0 : 1;
    if (ca != cb) return ca < cb;
    if (a.start - a.end != b.start - b.end) return a.start - a.end < b.start - b.end;
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.start != b.start) return a.start < b.start;
    return type_names_[static_cast<size_t>(a.type)] < type_names_[static_cast<size_t>(b.type)];
  }

  std::vector<Cand> scan(const Text& t, bool is_ascii) const {
    std::vector<Cand> found;
    collect(t, found);
    if (!found.empty() && t.find_byte('[', 0, t.n) >= 0) {
      found.erase(std::remove_if(found.begin(), found.end(),
                                 [&](const Cand& c) { return own_placeholder(t, c); }),
                  found.end());
    }
    for (auto& c : found) {
      c.byte_start = c.start;
      c.byte_end = c.end;
    }
    if (!is_ascii && !found.empty()) to_str_offsets(t, found);
    return resolve(found);
  }

  // engine._resolve: merge overlapping candidates into union spans typed by the winner.
  std::vector<Cand> resolve(std::vector<Cand>& cands) const {
    std::vector<Cand> merged;
    if (cands.empty()) return merged;
    std::stable_sort(cands.begin(), cands.end(), [](const Cand& a, const Cand& b) {
      return a.start != b.start ? a.start < b.start : a.end > b.end;
    });
    Cand best = cands[0];
    Cand span = cands[0];
    for (size_t i = 1; i < cands.size(); ++i) {
      const Cand& c = cands[i];
      if (c.start < span.end) {
        if (c.end > span.end) {
          span.end = c.end;
          span.byte_end = c.byte_end;
        }
        if (wins(c, best)) best = c;
        continue;
      }
      merged.push_back({span.start, span.end, best.type, best.rank, span.byte_start, span.byte_end});
      best = span = c;
    }
    merged.push_back({span.start, span.end, best.type, best.rank, span.byte_start, span.byte_end});
    return merged;
  }

  // Finding(type, start, end) without the dataclass __init__: object.__new__ and
  // the three slots set the way a frozen dataclass's own __init__ sets them.
  py::tuple finding_objects(const std::vector<Cand>& merged) const {
    py::tuple out(merged.size());
    auto* cls = reinterpret_cast<PyTypeObject*>(finding_.ptr());
    for (size_t i = 0; i < merged.size(); ++i) {
      const Cand& f = merged[i];
      py::object obj = py::reinterpret_steal<py::object>(cls->tp_alloc(cls, 0));
      if (!obj) throw py::error_already_set();
      py::object start = py::reinterpret_steal<py::object>(PyLong_FromSsize_t(f.start));
      py::object end = py::reinterpret_steal<py::object>(PyLong_FromSsize_t(f.end));
      if (!start || !end) throw py::error_already_set();
      if (PyObject_GenericSetAttr(obj.ptr(), names_[0].ptr(), types_[static_cast<size_t>(f.type)].ptr()) ||
          PyObject_GenericSetAttr(obj.ptr(), names_[1].ptr(), start.ptr()) ||
          PyObject_GenericSetAttr(obj.ptr(), names_[2].ptr(), end.ptr()))
        throw py::error_already_set();
      PyTuple_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), obj.release().ptr());
    }
    return out;
  }

  Tables tables_;
  std::unique_ptr<PhoneLibrary> phone_;  // tables["phone_library"], for the phone port
  std::unique_ptr<IdLibrary> ids_;  // tables["national_library"], for the national id port
  std::vector<Detector> detectors_;
  // One RE2::Set pass over the text of the prefilters native.SET_GATED names (each a
  // necessary condition of its detector's pattern, as the Python scan's prefilter Set
  // uses them): a detector whose prefilter does not occur is not searched.
  std::unique_ptr<RE2::Set> prefilters_;
  std::vector<size_t> set_slots_;  // the prefilter slot of each of the Set's patterns
  std::vector<Shape> shapes_;  // the prefilters checked by their shape instead
  std::vector<WordList> word_lists_;  // and by their words
  size_t prefilter_slots_ = 0;
  std::vector<std::string> type_names_;
  std::vector<py::str> types_;
  py::object names_[3];   // "type", "start", "end", interned
  py::object jwt_header_ok_;
  py::object finding_;
};

}  // namespace

PYBIND11_MODULE(_native, m) {
  m.doc() = "Compiled scan of consentry's built-in sensitive-data detectors (see native.py).";
  py::class_<Engine>(m, "Engine")
      .def(py::init<const py::list&, const py::dict&, py::object, py::object>(), py::arg("specs"),
           py::arg("tables"), py::arg("jwt_header_ok"), py::arg("finding"))
      .def("candidates", &Engine::candidates, py::arg("data"))
      .def("findings", &Engine::findings, py::arg("data"), py::arg("is_ascii"))
      .def("redact", &Engine::redact, py::arg("data"), py::arg("is_ascii"));
}
