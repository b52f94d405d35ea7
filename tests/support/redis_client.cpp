#include "redis_client.h"

#include <sys/time.h>

namespace tasq::test {
namespace {

Reply convert(const redisReply* r) {
  Reply out;
  if (r == nullptr) return out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::string;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_NIL:
      out.type = Reply::Type::nil;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::array;
      for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::other;
      break;
  }
  return out;
}

void set_timeout(redisContext* context) {
  if (context == nullptr || context->err != 0) return;
  struct timeval tv{30, 0};
  redisSetTimeout(context, tv);
}

}  // namespace

RedisClient::RedisClient(std::uint16_t port, const std::string& host) {
  struct timeval tv{10, 0};
  context_ = redisConnectWithTimeout(host.c_str(), port, tv);
  set_timeout(context_);
}

RedisClient::RedisClient(const std::string& unix_path) {
  struct timeval tv{10, 0};
  context_ = redisConnectUnixWithTimeout(unix_path.c_str(), tv);
  set_timeout(context_);
}

RedisClient::~RedisClient() {
  if (context_ != nullptr) redisFree(context_);
}

std::string RedisClient::error() const {
  if (context_ == nullptr) return "no context";
  return context_->errstr;
}

Reply RedisClient::command(const std::vector<std::string>& args) {
  append(args);
  return read_reply();
}

void RedisClient::append(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  redisAppendCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lengths.data());
}

Reply RedisClient::read_reply() {
  void* raw = nullptr;
  if (context_ == nullptr || redisGetReply(context_, &raw) != REDIS_OK) {
    Reply failed;
    failed.type = Reply::Type::other;
    failed.str = error();
    return failed;
  }
  auto* reply = static_cast<redisReply*>(raw);
  Reply out = convert(reply);
  freeReplyObject(reply);
  return out;
}

long long info_field(RedisClient& client, const std::string& field) {
  auto info = client.command({"INFO"}).str;
  auto pos = info.find(field + ":");
  if (pos == std::string::npos) return -1;
  return std::stoll(info.substr(pos + field.size() + 1));
}

}  // namespace tasq::test
