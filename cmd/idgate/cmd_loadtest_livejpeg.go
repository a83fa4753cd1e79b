package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/idgate/idgate/biometric/face"
	"github.com/idgate/idgate/cmd/idgate/loadtest"
	"github.com/idgate/idgate/internal/facephotos"
)

// liveJPEGFlags are loadtest's live JPEG mode: every request carries a camera capture, so the
// verifier runs its whole face path per request.
type liveJPEGFlags struct {
	on                bool
	enrol, live, dirs *string
}

func addLiveJPEGFlags(fs *flag.FlagSet) *liveJPEGFlags {
	f := &liveJPEGFlags{}
	fs.BoolVar(&f.on, "live-jpeg", false, "send a live JPEG (live_jpeg) instead of a live template, so the verifier decodes, detects, places landmarks, checks liveness and describes the face on every request; unless given, one connection, 100 passengers, --duration 5m and no crypto bound")
	f.enrol = fs.String("enrol-photo", "", "with --live-jpeg: the photo whose template the credentials carry (default: the repository's "+facephotos.Portrait+")")
	f.live = fs.String("live-photo", "", "with --live-jpeg: the JPEG sent as the live capture, the same person as --enrol-photo (default: the repository's "+facephotos.Live+")")
	f.dirs = stringFlag(fs, "models", "IDGATE_MODELS", "var/models", "with --live-jpeg: face models (make models) for the enrolled template and the child verifier")
	return f
}

// check refuses flag combinations live JPEG mode cannot honour (a usage error).
func (f *liveJPEGFlags) check(c *loadtest.Config) error {
	if !f.on && (*f.enrol != "" || *f.live != "") {
		return errors.New("--enrol-photo and --live-photo need --live-jpeg")
	}
	if f.on && (c.IdentifyGallery > 0 || c.Soak > 0) {
		return errors.New("--live-jpeg drives /verify: not with --identify-gallery or --soak")
	}
	return nil
}

// apply sets live JPEG mode's defaults for the flags not given, reads the photos, makes the
// enrolled template and points the child verifier at the models.
func (f *liveJPEGFlags) apply(fs *flag.FlagSet, c *loadtest.Config) error {
	if !f.on {
		return nil
	}
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	// One request at a time is the passenger's wait; the crypto bound is the template mode's
	// yardstick and says nothing about a face pipeline.
	if !set["connections"] {
		c.Connections = 1
	}
	if !set["passengers"] {
		c.Passengers = 100
	}
	if !set["duration"] {
		c.Duration = 5 * time.Minute
	}
	if !set["bound-duration"] {
		c.BoundDuration = -1
	}
	dir, err := filepath.Abs(*f.dirs)
	if err != nil {
		return err
	}
	enrolImg, err := readPhoto(*f.enrol, facephotos.Portrait)
	if err != nil {
		return err
	}
	liveImg, err := readPhoto(*f.live, facephotos.Live)
	if err != nil {
		return err
	}
	ex, err := face.New(face.Config{ModelsDir: dir, Workers: 1})
	if err != nil {
		return fmt.Errorf("--live-jpeg needs the face models (make models; --models or IDGATE_MODELS): %w", err)
	}
	defer ex.Close()
	res, err := ex.Template(enrolImg, face.Enrol)
	if err != nil {
		return fmt.Errorf("enrol photo: %w", err)
	}
	c.LiveJPEG = &loadtest.LiveJPEG{Enrolled: res.Template, JPEG: liveImg}
	c.ServerEnv = append(c.ServerEnv, "IDGATE_MODELS="+dir)
	return nil
}

// readPhoto reads path, or the repository's photo def when path is empty.
func readPhoto(path, def string) ([]byte, error) {
	if path == "" {
		return facephotos.Read(def)
	}
	return os.ReadFile(path)
}
