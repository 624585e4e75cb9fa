package params

// Kind is a parameter's type as its ops define it: one of the kernel's
// standard kernel_param_ops, or Custom.
type Kind uint8

// The standard kinds, named after their ops symbols (param_ops_<name>).
const (
	Custom         Kind = iota // ops the module defines itself (module_param_cb)
	Byte                       // param_ops_byte: u8, kstrtou8
	Short                      // param_ops_short: s16, kstrtos16
	Ushort                     // param_ops_ushort: u16, kstrtou16
	Int                        // param_ops_int: s32, kstrtoint
	Uint                       // param_ops_uint: u32, kstrtouint
	Long                       // param_ops_long: s64, kstrtol
	Ulong                      // param_ops_ulong: u64, kstrtoul
	Ullong                     // param_ops_ullong: u64, kstrtoull
	Hexint                     // param_ops_hexint: u32, kstrtouint base 0, printed %#08x
	Charp                      // param_ops_charp: char *, a kmalloc'ed copy
	Bool                       // param_ops_bool: 1-byte bool, bare name means true
	BoolEnableOnly             // param_ops_bool_enable_only: as bool, but cannot be cleared once set
	Invbool                    // param_ops_invbool: bool stored inverted
	Bint                       // param_ops_bint: int 0/1 parsed as bool
	String                     // param_ops_string: a char buffer of kparam_string.maxlen
)

var kindNames = [...]string{
	Custom: "", Byte: "byte", Short: "short", Ushort: "ushort", Int: "int", Uint: "uint",
	Long: "long", Ulong: "ulong", Ullong: "ullong", Hexint: "hexint", Charp: "charp",
	Bool: "bool", BoolEnableOnly: "bool_enable_only", Invbool: "invbool", Bint: "bint", String: "string",
}

// String returns the kind as the parmtype= string spells it ("int",
// "charp", ...); "custom" for Custom.
func (k Kind) String() string {
	if k == Custom {
		return "custom"
	}
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(?)"
}

// Size returns the size in bytes of the variable a standard kind stores
// into (String's is its buffer's, so 0 here; Custom's is unknown, 0).
func (k Kind) Size() int {
	switch k {
	case Byte, Bool, BoolEnableOnly, Invbool:
		return 1
	case Short, Ushort:
		return 2
	case Int, Uint, Hexint, Bint:
		return 4
	case Long, Ulong, Ullong, Charp:
		return 8
	}
	return 0
}

// Ops symbols the kernel exports for the standard kinds (kernel/params.c).
const (
	OpsArray  = "param_array_ops"
	OpsString = "param_ops_string"
)

// KindOfOps returns the kind whose standard ops the kernel exports under
// symbol name sym ("param_ops_int" → Int), or Custom.
func KindOfOps(sym string) Kind {
	const prefix = "param_ops_"
	if len(sym) <= len(prefix) || sym[:len(prefix)] != prefix {
		return Custom
	}
	for k := Byte; k <= String; k++ {
		if kindNames[k] == sym[len(prefix):] {
			return k
		}
	}
	return Custom
}

// OpsSymbol returns the symbol of a standard kind's ops ("param_ops_int").
func (k Kind) OpsSymbol() string {
	if k == Custom {
		return ""
	}
	return "param_ops_" + kindNames[k]
}

// Flags of struct kernel_param_ops and struct kernel_param.
const (
	KERNEL_PARAM_OPS_FL_NOARG = 1 // ops accept a bare name (value NULL)

	KERNEL_PARAM_FL_UNSAFE  = 1 // setting it taints the kernel 'U'
	KERNEL_PARAM_FL_HWPARAM = 2 // refused when the kernel is locked down
)

// noarg reports whether a standard kind's ops carry KERNEL_PARAM_OPS_FL_NOARG.
func (k Kind) noarg() bool { return k == Bool || k == BoolEnableOnly || k == Bint }

// Sizes and offsets of the structures, x86_64.
const (
	KernelParamSize = 40 // struct kernel_param
	kpName          = 0
	kpOps           = 16
	kpPerm          = 24
	kpLevel         = 26
	kpFlags         = 27
	kpArg           = 32

	kparamStringSize = 16 // struct kparam_string: maxlen u32, string ptr
	kparamArraySize  = 32 // struct kparam_array: max, elemsize, num, ops, elem

	// maxCharp is the longest value param_set_charp accepts.
	maxCharp = 1024
)

// Param is one module parameter: a __param entry, decoded, and what
// .modinfo says about it.
type Param struct {
	Name  string
	Perm  uint16 // sysfs permission bits (0: not in sysfs)
	Level int8   // -1 for module_param
	Flags uint8  // KERNEL_PARAM_FL_*

	// Ops is the ops symbol: "param_ops_int", "param_array_ops",
	// "param_ops_string", or for custom ops the symbol the pointer
	// targets (a section name and offset if none names it).
	Ops string
	// Kind is the element kind: the ops' kind for a scalar, the element
	// ops' for an array. Custom for ops the module defines.
	Kind Kind
	// OpsFlags is kernel_param_ops.flags: known for standard ops, read
	// from the module for custom ones (KERNEL_PARAM_OPS_FL_NOARG).
	OpsFlags uint32
	// Set names the custom ops' set function, where it could be read.
	Set string

	Arg Ref // kernel_param.arg: the variable, kparam_string or kparam_array
	// Var is where the value lives: Arg for a scalar, kparam_string.string
	// for a string, kparam_array.elem for an array.
	Var Ref

	MaxLen uint32 // string: kparam_string.maxlen (buffer size, NUL included)

	Array    bool   // param_array_ops
	Max      uint32 // array: kparam_array.max
	ElemSize uint32 // array: kparam_array.elemsize
	Num      Ref    // array: kparam_array.num (Null: NULL)
	ElemOps  string // array: the element ops symbol

	// From .modinfo (see Merge).
	ModinfoType    string // parmtype=<name>:<type>
	HasModinfoType bool
	Desc           string // parm=<name>:<desc>
	HasDesc        bool
	InParamTable   bool // the entry is in __param (false: only .modinfo mentions it)
}

// Type returns the parameter's type as parmtype= spells it: "int",
// "array of int", "string", "charp"...; for custom ops the module's own
// parmtype= if it declared one, else "".
func (p *Param) Type() string {
	if !p.InParamTable || p.Kind == Custom {
		return p.ModinfoType
	}
	return p.OpsType()
}

// OpsType is the type the ops define, spelled as parmtype= would: ""
// for custom ops.
func (p *Param) OpsType() string {
	if p.Kind == Custom {
		return ""
	}
	if p.Array {
		return "array of " + p.Kind.String()
	}
	return p.Kind.String()
}

// NoArg reports whether the parameter accepts a bare name (its ops carry
// KERNEL_PARAM_OPS_FL_NOARG).
func (p *Param) NoArg() bool { return p.OpsFlags&KERNEL_PARAM_OPS_FL_NOARG != 0 }

// Ref is where a pointer field of a parameter's structures points: the
// relocation that fills it (symbol and addend) and, when the target lies in
// the module, the section and offset; Addr once the module is placed.
type Ref struct {
	Null     bool   // the pointer is NULL (no relocation, zero bytes)
	Sym      string // the relocation's symbol (a section symbol's section name)
	SymIndex int    // its index in the object's symbol table
	Addend   int64
	Section  int    // object section holding the target (0: not in the module)
	Off      uint64 // offset of the target in Section
	Addr     uint64 // final address: set by Locate, or read from a linked image
}
