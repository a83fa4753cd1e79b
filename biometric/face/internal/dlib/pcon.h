// pcon is dlib's con layer (layers.h) whose forward pass runs on two threads when the calling
// thread asked for them (conv_threads, conv2.h); otherwise it is con_'s own. It derives from
// con_ and serializes as con_, so dlib's model files load into networks made of it.
#ifndef IDGATE_DLIB_PCON_H
#define IDGATE_DLIB_PCON_H
#include <stdexcept>
#include <dlib/dnn.h>
#include "conv2.h"

template <long NF, long NR, long NC, int SY, int SX, int PY = SY != 1 ? 0 : NR/2, int PX = SX != 1 ? 0 : NC/2>
class pcon_ : public dlib::con_<NF, NR, NC, SY, SX, PY, PX> {
	using base = dlib::con_<NF, NR, NC, SY, SX, PY, PX>;

public:
	template <typename SUBNET>
	void forward(const SUBNET& sub, dlib::resizable_tensor& output) {
		conv_team* team = conv_current();
		if (!team) {
			base::forward(sub, output);
			return;
		}
		const dlib::tensor& in = sub.get_output();
		conv_shape s{in.num_samples(), in.k(), in.nr(), in.nc(), this->num_filters(), this->nr(), this->nc(),
			SY, SX, this->padding_y(), this->padding_x()};
		const dlib::tensor& params = this->get_layer_params();
		const size_t weights = (size_t)(s.filters * s.k * s.fnr * s.fnc);
		const size_t biases = this->bias_is_disabled() ? 0 : (size_t)s.filters;
		if (params.size() != weights + biases || s.fnr > s.nr + 2*s.pad_y || s.fnc > s.nc + 2*s.pad_x)
			throw std::runtime_error("pcon: parameters do not fit the input");
		output.set_size(s.samples, s.filters, s.out_nr(), s.out_nc());
		const float* w = params.host();
		conv2(*team, s, in.host(), w, biases ? w + weights : nullptr, output.host_write_only());
	}

	friend void serialize(const pcon_& item, std::ostream& out) { serialize(static_cast<const base&>(item), out); }
	friend void deserialize(pcon_& item, std::istream& in) { deserialize(static_cast<base&>(item), in); }
	friend std::ostream& operator<<(std::ostream& out, const pcon_& item) { return out << static_cast<const base&>(item); }
	friend void to_xml(const pcon_& item, std::ostream& out) { to_xml(static_cast<const base&>(item), out); }
};

template <long NF, long NR, long NC, int SY, int SX, typename SUBNET>
using pcon = dlib::add_layer<pcon_<NF, NR, NC, SY, SX>, SUBNET>;

#endif
