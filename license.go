package golink

import "fmt"

// gplCompatible are the license strings the kernel's license_is_gpl_compatible
// accepts (include/linux/license.h), compared exactly.
var gplCompatible = map[string]bool{
	"GPL":                       true,
	"GPL v2":                    true,
	"GPL and additional rights": true,
	"Dual BSD/GPL":              true,
	"Dual MIT/GPL":              true,
	"Dual MPL/GPL":              true,
}

// LicenseIsGPLCompatible reports whether the kernel treats a MODULE_LICENSE
// string as GPL-compatible.
func LicenseIsGPLCompatible(license string) bool { return gplCompatible[license] }

type licenseInfo struct {
	license       string
	gplCompatible bool
	log           []string
}

// license is the kernel's set_license: the first license= entry, missing
// meaning "unspecified"; a GPL-incompatible one taints the module P, and
// then GPL-only exports are invisible to it.
func (m *Module) license() licenseInfo {
	lic, ok := m.Modinfo.Get("license")
	if !ok {
		lic = "unspecified"
	}
	li := licenseInfo{license: lic, gplCompatible: gplCompatible[lic]}
	if !li.gplCompatible {
		li.log = append(li.log, fmt.Sprintf("%s: module license '%s' taints kernel.", m.Name, lic))
	}
	return li
}
