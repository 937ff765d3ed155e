#include "durable/protocol/producer_stamp.hpp"

#include "durable/protocol/headers.hpp"

namespace durable {

std::vector<std::pair<std::string, std::string>> ProducerStamp::headers() const
{
  return {{header::k_producer_id, id},
          {header::k_producer_epoch, std::to_string(epoch)},
          {header::k_producer_seq, std::to_string(seq)}};
}

std::string ProducerStamp::tuple() const
{
  return id + " " + std::to_string(epoch) + " " + std::to_string(seq);
}

} // namespace durable
