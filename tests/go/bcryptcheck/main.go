// Command bcryptcheck runs the Go code Dex uses on ckf-crypto's output, so the integration tests
// check the hash and the static-passwords YAML with Dex's own libraries rather than ours:
// golang.org/x/crypto/bcrypt for the hash, github.com/ghodss/yaml then encoding/json for the
// YAML (dexidp/dex: cmd/dex/serve.go calls yaml.YAMLToJSON, cmd/dex/config.go unmarshals each
// static password).
//
// It builds offline from Debian's packages (golang-go, golang-golang-x-crypto-dev,
// golang-github-ghodss-yaml-dev) with GO111MODULE=off GOPATH=/usr/share/gocode.
//
// Every input, secrets included, arrives as JSON or YAML on stdin, never on argv. No password is
// ever printed.
//
//	verify   stdin {"hash": "...", "password": "..."}  prints "ok <cost>", or exits 1
//	hash     stdin {"password": "...", "cost": N}      prints a $2a$ hash
//	dexyaml  stdin static-passwords.yaml               prints Dex's reading of it as JSON
package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ghodss/yaml"
	"golang.org/x/crypto/bcrypt"
)

func main() {
	if len(os.Args) != 2 {
		fail("usage: bcryptcheck verify|hash|dexyaml (input on stdin)")
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading stdin: %v", err)
	}
	switch os.Args[1] {
	case "verify":
		verify(input)
	case "hash":
		hash(input)
	case "dexyaml":
		dexYAML(input)
	default:
		fail("unknown subcommand %q", os.Args[1])
	}
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "bcryptcheck: "+format+"\n", args...)
	os.Exit(1)
}

// verify does what Dex's password connector does at login, less the cost bounds, which the
// caller checks on the printed cost.
func verify(input []byte) {
	var req struct {
		Hash     string `json:"hash"`
		Password string `json:"password"`
	}
	if err := json.Unmarshal(input, &req); err != nil {
		fail("verify: bad JSON input: %v", err)
	}
	cost, err := bcrypt.Cost([]byte(req.Hash))
	if err != nil {
		fail("verify: bcrypt.Cost: %v", err)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(req.Hash), []byte(req.Password)); err != nil {
		fail("verify: CompareHashAndPassword: %v", err)
	}
	fmt.Printf("ok %d\n", cost)
}

// errPasswordTooLong is the check x/crypto added in v0.5.0 (bc7d1d1); Debian bookworm's
// x/crypto 0.4.0 predates it, so it is repeated here to behave like the library Dex ships.
var errPasswordTooLong = errors.New("bcrypt: password length exceeds 72 bytes")

func hash(input []byte) {
	var req struct {
		Password string `json:"password"`
		Cost     int    `json:"cost"`
	}
	if err := json.Unmarshal(input, &req); err != nil {
		fail("hash: bad JSON input: %v", err)
	}
	if len(req.Password) > 72 {
		fail("hash: %v", errPasswordTooLong)
	}
	out, err := bcrypt.GenerateFromPassword([]byte(req.Password), req.Cost)
	if err != nil {
		fail("hash: GenerateFromPassword: %v", err)
	}
	fmt.Println(string(out))
}

// staticPassword is one entry as Dex reads it: cmd/dex/config.go `password.UnmarshalJSON`
// (same logic from v2.36 through v2.45), json tags and all.
type staticPassword struct {
	Email    string `json:"email"`
	Hash     string `json:"hash"`
	Username string `json:"username"`
	UserID   string `json:"userID"`
}

func (p *staticPassword) UnmarshalJSON(b []byte) error {
	var data struct {
		Email    string `json:"email"`
		Username string `json:"username"`
		UserID   string `json:"userID"`
		Hash     string `json:"hash"`
	}
	if err := json.Unmarshal(b, &data); err != nil {
		return err
	}
	*p = staticPassword{Email: data.Email, Username: data.Username, UserID: data.UserID}
	if len(data.Hash) == 0 {
		return fmt.Errorf("no password hash provided")
	}
	// If this value is a valid bcrypt, use it.
	_, bcryptErr := bcrypt.Cost([]byte(data.Hash))
	if bcryptErr == nil {
		p.Hash = data.Hash
		return nil
	}
	// For backwards compatibility Dex tries to base64 decode the value.
	hashBytes, err := base64.StdEncoding.DecodeString(data.Hash)
	if err != nil {
		return fmt.Errorf("malformed bcrypt hash: %v", bcryptErr)
	}
	if _, err := bcrypt.Cost(hashBytes); err != nil {
		return fmt.Errorf("malformed bcrypt hash: %v", err)
	}
	p.Hash = string(hashBytes)
	return nil
}

// dexYAML reads the static-passwords list the way Dex reads `staticPasswords`: YAML to JSON with
// ghodss/yaml (no target type, so scalars keep their YAML types), then encoding/json.
func dexYAML(input []byte) {
	jsonData, err := yaml.YAMLToJSON(input)
	if err != nil {
		fail("dexyaml: YAMLToJSON: %v", err)
	}
	var passwords []staticPassword
	if err := json.Unmarshal(jsonData, &passwords); err != nil {
		fail("dexyaml: %v", err)
	}
	if passwords == nil {
		passwords = []staticPassword{}
	}
	out, err := json.Marshal(passwords)
	if err != nil {
		fail("dexyaml: %v", err)
	}
	fmt.Println(string(out))
}
