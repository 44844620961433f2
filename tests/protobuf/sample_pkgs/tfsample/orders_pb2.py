"""Generated-style protobuf module for ``tfsample/orders.proto`` (the equivalent .proto is below).

protoc's output registers a serialised ``FileDescriptorProto`` with the default
pool and builds the classes from it; this module does the same, building the
descriptor in Python so it works with every protobuf runtime the plugin
supports (protoc's output pins the runtime version it was made for).

    syntax = "proto3";
    package tfsample.orders;
    import "google/protobuf/timestamp.proto";
    import "google/protobuf/struct.proto";
    enum Status { STATUS_UNKNOWN = 0; PLACED = 1; SHIPPED = 2; }
    message Item { string sku = 1; int32 quantity = 2; int64 big = 3; }
    message Order {
      message Address { string city = 1; }
      string id = 1;
      repeated Item items = 2;
      Status status = 3;
      map<string, double> prices = 4;
      google.protobuf.Timestamp placed = 5;
      google.protobuf.Struct extra = 6;
      Item gift = 7;
      bytes note = 8;
      double ratio = 9;
      Address ship_to = 10;
      map<string, Item> by_sku = 11;
      optional string coupon = 12;
    }
"""

from google.protobuf import descriptor_pb2, descriptor_pool, struct_pb2, timestamp_pb2  # noqa: F401
from google.protobuf.internal import builder as _builder

F = descriptor_pb2.FieldDescriptorProto


def _field(name, number, kind, type_name=None, repeated=False, json_name=None, proto3_optional=False, oneof=None):
    field = F(name=name, number=number, type=kind, label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL)
    if type_name:
        field.type_name = type_name
    field.json_name = json_name or "".join(p if i == 0 else p.title() for i, p in enumerate(name.split("_")))
    if proto3_optional:
        field.proto3_optional = True
        field.oneof_index = oneof
    return field


def _map_entry(name, value_kind, value_type=None):
    entry = descriptor_pb2.DescriptorProto(name=name)
    entry.field.append(_field("key", 1, F.TYPE_STRING))
    entry.field.append(_field("value", 2, value_kind, value_type))
    entry.options.map_entry = True
    return entry


def _file():
    fd = descriptor_pb2.FileDescriptorProto(name="tfsample/orders.proto", package="tfsample.orders", syntax="proto3")
    fd.dependency.extend(["google/protobuf/timestamp.proto", "google/protobuf/struct.proto"])
    status = fd.enum_type.add(name="Status")
    for i, value in enumerate(("STATUS_UNKNOWN", "PLACED", "SHIPPED")):
        status.value.add(name=value, number=i)
    item = fd.message_type.add(name="Item")
    item.field.extend([_field("sku", 1, F.TYPE_STRING), _field("quantity", 2, F.TYPE_INT32), _field("big", 3, F.TYPE_INT64)])
    order = fd.message_type.add(name="Order")
    address = order.nested_type.add(name="Address")
    address.field.append(_field("city", 1, F.TYPE_STRING))
    order.nested_type.append(_map_entry("PricesEntry", F.TYPE_DOUBLE))
    order.nested_type.append(_map_entry("BySkuEntry", F.TYPE_MESSAGE, ".tfsample.orders.Item"))
    order.oneof_decl.add(name="_coupon")
    order.field.extend(
        [
            _field("id", 1, F.TYPE_STRING),
            _field("items", 2, F.TYPE_MESSAGE, ".tfsample.orders.Item", repeated=True),
            _field("status", 3, F.TYPE_ENUM, ".tfsample.orders.Status"),
            _field("prices", 4, F.TYPE_MESSAGE, ".tfsample.orders.Order.PricesEntry", repeated=True),
            _field("placed", 5, F.TYPE_MESSAGE, ".google.protobuf.Timestamp"),
            _field("extra", 6, F.TYPE_MESSAGE, ".google.protobuf.Struct"),
            _field("gift", 7, F.TYPE_MESSAGE, ".tfsample.orders.Item"),
            _field("note", 8, F.TYPE_BYTES),
            _field("ratio", 9, F.TYPE_DOUBLE),
            _field("ship_to", 10, F.TYPE_MESSAGE, ".tfsample.orders.Order.Address"),
            _field("by_sku", 11, F.TYPE_MESSAGE, ".tfsample.orders.Order.BySkuEntry", repeated=True),
            _field("coupon", 12, F.TYPE_STRING, proto3_optional=True, oneof=0),
        ]
    )
    return fd.SerializeToString()


DESCRIPTOR = descriptor_pool.Default().AddSerializedFile(_file())
_globals = globals()
_builder.BuildMessageAndEnumDescriptors(DESCRIPTOR, _globals)
_builder.BuildTopDescriptorsAndMessages(DESCRIPTOR, "tfsample.orders_pb2", _globals)
